package io.tailstream.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.adapt.DynamicSampler;
import io.tailstream.otlp.OtelTraceState;
import io.tailstream.rules.RulesParser;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Dynamic samplers on skewed synthetic traffic: 40 services whose volumes follow 1/rank (the
 * busiest sends 40 times the quietest). Goals are held within ±20%, and the adjusted count
 * estimated from the kept traces' OTel thresholds is within ±5% of the true trace count.
 */
class DynamicSamplingTest {
  private static final int SERVICES = 40;
  private final Random random = new Random(5);
  private final double[] cumulative = new double[SERVICES];

  DynamicSamplingTest() {
    double sum = 0;
    for (int i = 0; i < SERVICES; i++) {
      sum += 1.0 / (i + 1);
      cumulative[i] = sum;
    }
    for (int i = 0; i < SERVICES; i++) {
      cumulative[i] /= sum;
    }
  }

  private String service() {
    double r = random.nextDouble();
    for (int i = 0; i < SERVICES; i++) {
      if (r <= cumulative[i]) {
        return "svc-" + i;
      }
    }
    return "svc-" + (SERVICES - 1);
  }

  private TraceFacts facts(String service) {
    return new TraceFacts(3, 100, 0, 1, true, false, Map.of(), Set.of(service), -1, -1, 0,
        new long[0], Map.of("service.name", service));
  }

  /** Runs intervals of traffic; returns {kept, adjusted count, total} after two warm-up intervals. */
  private double[] run(Decider d, int intervals, int tracesPerInterval, Map<String, long[]> perKey) {
    double kept = 0;
    double adjusted = 0;
    double total = 0;
    byte[] id = new byte[16];
    for (int interval = 0; interval < intervals; interval++) {
      for (int i = 0; i < tracesPerInterval; i++) {
        long now = interval * 10_000L + (long) i * 10_000 / tracesPerInterval;
        random.nextBytes(id);
        String service = service();
        Decision decision = d.decide(facts(service), id, now);
        if (interval < 2) {
          continue;
        }
        total++;
        long[] counts = perKey.computeIfAbsent(service, k -> new long[2]);
        counts[0]++;
        if (decision.kept()) {
          kept++;
          counts[1]++;
          // The OTel adjusted count of a kept span: 2^56 / (2^56 - th).
          adjusted += (double) OtelTraceState.MAX_THRESHOLD / (OtelTraceState.MAX_THRESHOLD - decision.threshold());
        }
      }
    }
    return new double[] {kept, adjusted, total};
  }

  @Test
  void averageGoalIsHeldRareKeysAreKeptMoreAndCountsStayUnbiased() {
    Decider d = Decider.compile(RulesParser.parse("""
        rules:
          - name: dynamic
            sample: { dynamic: { key: [service.name], goal: 2%, interval: 10s } }
        """, "r.yaml"));
    Map<String, long[]> perKey = new HashMap<>();
    double[] r = run(d, 22, 10_000, perKey);
    double fraction = r[0] / r[2];
    assertThat(fraction).as("kept fraction").isBetween(0.02 * 0.8, 0.02 * 1.2);
    assertThat(r[1]).as("adjusted count estimate").isBetween(r[2] * 0.95, r[2] * 1.05);
    double busiest = (double) perKey.get("svc-0")[1] / perKey.get("svc-0")[0];
    double rarest = (double) perKey.get("svc-39")[1] / perKey.get("svc-39")[0];
    assertThat(rarest).as("rare keys kept more").isGreaterThan(busiest * 3);
  }

  @Test
  void throughputGoalIsHeld() {
    Decider d = Decider.compile(RulesParser.parse("""
        rules:
          - name: steady
            sample: { throughput: { key: [service.name], goal: "40 traces/s", interval: 10s } }
        """, "r.yaml"));
    double[] r = run(d, 22, 5_000, new HashMap<>());
    double keptPerSecond = r[0] / (20 * 10);
    assertThat(keptPerSecond).isBetween(40 * 0.8, 40 * 1.2);
    assertThat(r[1]).as("adjusted count estimate").isBetween(r[2] * 0.95, r[2] * 1.05);
  }

  @Test
  void keptTracesCarryTheirKeysThresholdNeverLowerThanIncoming() {
    Decider d = Decider.compile(RulesParser.parse(
        "rules:\n  - name: dyn\n    sample: { dynamic: { key: [service.name], goal: 50% } }\n", "r.yaml"));
    long incoming = Decider.thresholdFor(0.1);
    TraceFacts f = new TraceFacts(1, 1, 0, 1, true, false, Map.of(), Set.of("a"), -1, incoming, 0,
        new long[0], Map.of("service.name", "a"));
    byte[] lucky = new byte[16];
    java.util.Arrays.fill(lucky, (byte) 0xFF);
    Decision decision = d.decide(f, lucky, 0);
    assertThat(decision.kept()).isTrue();
    assertThat(decision.threshold()).isEqualTo(Decider.thresholdFor(0.5));
    assertThat(decision.spanThreshold(incoming)).isEqualTo(incoming);
  }

  @Test
  void aTraceAnEarlierRuleKeptIsNotCountedByALaterSamplerWhoseRateItReads() {
    Decider d = Decider.compile(RulesParser.parse("""
        rules:
          - name: first
            keep: { error: false }
            sample: 20%
          - name: dyn
            sample: { dynamic: { key: [service.name], goal: 50%, interval: 10s } }
        """, "r.yaml"));
    byte[] lucky = new byte[16];
    java.util.Arrays.fill(lucky, (byte) 0xFF);
    for (long now = 0; now <= 30_000; now += 1_000) {
      Decision decision = d.decide(facts("a"), lucky, now);
      assertThat(decision.rule()).isEqualTo("first");
      // dyn's rate before any traffic is its goal: the rules keep these facts at 50%, not 20%.
      assertThat(decision.threshold()).isEqualTo(Decider.thresholdFor(0.5));
    }
    assertThat(d.adaptive().sampler("dyn", DynamicSampler.Goal.AVERAGE, 0.5,
        10_000).rates()).as("keys dyn has counted").isEmpty();
  }
}
