package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpikeDetectorTest {
  private static final long MS = 1_000_000L;
  private static final long INTERVAL = 10_000;
  private static final SpikeDetector.Settings SETTINGS =
      new SpikeDetector.Settings(3, 0.05, 2, 500 * MS, 50, 30_000);

  private final SpikeDetector detector = new SpikeDetector(SETTINGS);
  private final Random random = new Random(1);
  private long now;

  /** One interval of traffic: per service, n traces at the given error rate and latency. */
  private List<SpikeDetector.Action> interval(double rankerErrors, long rankerMs, double searchErrors) {
    return interval(detector, rankerErrors, rankerMs, searchErrors);
  }

  private List<SpikeDetector.Action> interval(SpikeDetector d, double rankerErrors, long rankerMs,
      double searchErrors) {
    for (int i = 0; i < 500; i++) {
      d.observe("ranker", "ranker-v3", (rankerMs + random.nextInt(20)) * MS,
          random.nextDouble() < rankerErrors);
      d.observe("search", null, (100 + random.nextInt(20)) * MS, random.nextDouble() < searchErrors);
    }
    now += INTERVAL;
    return d.evaluate(now);
  }

  @Test
  void anErrorSpikeStartsWithinOneIntervalOnlyForItsScopeAndEndsAfterRecovery() {
    for (int i = 0; i < 6; i++) {
      assertThat(interval(0.01, 200, 0.01)).isEmpty();
    }
    List<SpikeDetector.Action> spike = interval(0.30, 200, 0.01);
    // The ranker's traces carry its model: both scopes spike, the search service does not.
    assertThat(spike).extracting(SpikeDetector.Action::scope).containsExactlyInAnyOrder(
        new SpikeDetector.Scope("service", "ranker"), new SpikeDetector.Scope("model", "ranker-v3"));
    assertThat(spike).allSatisfy(a -> assertThat(((SpikeDetector.Started) a).reason()).startsWith("error rate "));
    assertThat(interval(0.30, 200, 0.01)).as("still spiking: no new start").isEmpty();
    // Recovered: the boost ends only after the 30 s cooldown.
    assertThat(interval(0.01, 200, 0.01)).isEmpty();
    assertThat(interval(0.01, 200, 0.01)).isEmpty();
    List<SpikeDetector.Action> end = interval(0.01, 200, 0.01);
    assertThat(end).containsExactlyInAnyOrder(new SpikeDetector.Ended(new SpikeDetector.Scope("service", "ranker")),
        new SpikeDetector.Ended(new SpikeDetector.Scope("model", "ranker-v3")));
  }

  @Test
  void aLatencySpikeCoversTheServiceAndItsModel() {
    for (int i = 0; i < 6; i++) {
      interval(0.01, 200, 0.01);
    }
    List<SpikeDetector.Action> spike = interval(0.01, 1500, 0.01);
    assertThat(spike).extracting(SpikeDetector.Action::scope).containsExactlyInAnyOrder(
        new SpikeDetector.Scope("service", "ranker"), new SpikeDetector.Scope("model", "ranker-v3"));
    assertThat(detector.spiking(new SpikeDetector.Scope("service", "search"))).isFalse();
  }

  @Test
  void noFlappingUnderNoise() {
    List<SpikeDetector.Action> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      // Error rates wander between 0% and 2%, latency by ±10%: noise, not incidents.
      all.addAll(interval(random.nextDouble() * 0.02, 180 + random.nextInt(40), random.nextDouble() * 0.02));
    }
    assertThat(all).isEmpty();
  }

  @Test
  void quietScopesAreNotJudged() {
    SpikeDetector quiet = new SpikeDetector(SETTINGS);
    long t = 0;
    for (int i = 0; i < 10; i++) {
      for (int j = 0; j < 10; j++) {
        quiet.observe("rare", null, 100 * MS, j < 5); // 50% errors, but 10 spans
      }
      t += INTERVAL;
      assertThat(quiet.evaluate(t)).isEmpty();
    }
  }

  @Test
  void aHundredThousandServicesStayWithinTheByteBoundAndKnownScopesStillSpike() {
    for (int i = 0; i < 6; i++) {
      interval(0.01, 200, 0.01);
    }
    for (int i = 0; i < 100_000; i++) {
      detector.observe("svc-" + i, null, 100 * MS, false); // a service.name with an id in it
    }
    // Before: 10,000 scopes of 27 KB each, 270 MB. Now: within 16 MiB, about 600 scopes.
    assertThat(detector.accountedBytes()).isLessThanOrEqualTo(SpikeDetector.DEFAULT_MAX_BYTES);
    assertThat((long) detector.scopes() * SpikeDetector.HISTOGRAM_BYTES)
        .as("every watched scope's histogram is accounted").isLessThanOrEqualTo(detector.accountedBytes());
    assertThat(detector.scopes()).isBetween(500, 700);
    assertThat(detector.refused()).isEqualTo(100_000 - (detector.scopes() - 3));
    List<SpikeDetector.Action> spike = interval(0.30, 200, 0.01);
    assertThat(spike).extracting(SpikeDetector.Action::scope).containsExactlyInAnyOrder(
        new SpikeDetector.Scope("service", "ranker"), new SpikeDetector.Scope("model", "ranker-v3"));
  }

  @Test
  void idleScopesAreForgottenAndMakeRoomForNewOnes() {
    long perScope = SpikeDetector.HISTOGRAM_BYTES + SpikeDetector.KEY_OVERHEAD_BYTES + 2L * "busy".length();
    SpikeDetector small = new SpikeDetector(SETTINGS, 2 * perScope);
    small.observe("busy", null, 100 * MS, false);
    small.observe("once", null, 100 * MS, false);
    small.observe("late", null, 100 * MS, false);
    assertThat(small.scopes()).isEqualTo(2);
    assertThat(small.refused()).isEqualTo(1);
    long t = INTERVAL;
    small.evaluate(t); // the interval in which 'once' had its span
    for (int i = 0; i < SpikeDetector.FORGET_AFTER_IDLE_INTERVALS; i++) {
      small.observe("busy", null, 100 * MS, false);
      small.evaluate(t += INTERVAL);
    }
    assertThat(small.scopes()).as("'once' went quiet and is forgotten, 'busy' stays").isEqualTo(1);
    assertThat(small.accountedBytes()).isEqualTo(perScope);
    small.observe("late", null, 100 * MS, false);
    assertThat(small.scopes()).isEqualTo(2);
    assertThat(small.refused()).isEqualTo(1);
  }

  @Test
  void aSpikingScopeIsNotForgottenHoweverLongItIsQuiet() {
    SpikeDetector sticky = new SpikeDetector(new SpikeDetector.Settings(3, 0.05, 2, 500 * MS, 50,
        3_600_000)); // a spike ends only after an hour without one
    for (int i = 0; i < 6; i++) {
      interval(sticky, 0.01, 200, 0.01);
    }
    interval(sticky, 0.30, 200, 0.01);
    SpikeDetector.Scope ranker = new SpikeDetector.Scope("service", "ranker");
    assertThat(sticky.spiking(ranker)).isTrue();
    // The ranker falls silent; the search service goes on.
    for (int i = 0; i < 2 * SpikeDetector.FORGET_AFTER_IDLE_INTERVALS; i++) {
      for (int j = 0; j < 500; j++) {
        sticky.observe("search", null, 100 * MS, false);
      }
      now += INTERVAL;
      sticky.evaluate(now);
    }
    assertThat(sticky.spiking(ranker)).isTrue();
    assertThat(sticky.scopes()).isEqualTo(3);
  }
}
