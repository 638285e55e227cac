package io.tailstream.app;

import io.tailstream.adapt.EffectiveRates;
import java.util.function.Supplier;

/** An admin-port source whose answers a test sets. */
class FakeAdminSource implements AdminServer.Source {
  volatile Supplier<EffectiveRates.Snapshot> rates = () -> null;
  volatile String scrape = "";
  volatile AdminServer.Probe live = new AdminServer.Probe(true, "RUNNING", null);
  volatile AdminServer.Probe ready = new AdminServer.Probe(false, "REBALANCING", "v1");

  @Override
  public EffectiveRates.Snapshot rates() {
    return rates.get();
  }

  @Override
  public String scrape() {
    return scrape;
  }

  @Override
  public AdminServer.Probe live() {
    return live;
  }

  @Override
  public AdminServer.Probe ready() {
    return ready;
  }
}
