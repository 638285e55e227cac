package io.tailstream.app;

import io.tailstream.adapt.EffectiveRates;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** An admin-port source whose answers a test sets. */
class FakeAdminSource implements AdminServer.Source {
  volatile Supplier<EffectiveRates.Snapshot> rates = () -> null;
  volatile String scrape = "";
  volatile AdminServer.Probe live = new AdminServer.Probe(true, "RUNNING", null);
  volatile AdminServer.Probe ready = new AdminServer.Probe(false, "REBALANCING", "v1");
  private final Map<HttpPort.Refusal, Integer> refusals = new ConcurrentHashMap<>();

  int refusals(HttpPort.Refusal why) {
    return refusals.getOrDefault(why, 0);
  }

  @Override
  public void refused(HttpPort.Refusal why) {
    refusals.merge(why, 1, Integer::sum);
  }

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
