package io.tailstream.decide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.RulesParser;
import io.tailstream.testing.CoreRules;
import io.tailstream.testing.Spans;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeciderTest {
  private static final Decider CORE = Decider.compile(RulesParser.parse(CoreRules.YAML, "rules.yaml"));

  private static final byte[] ALWAYS_SAMPLED = Spans.traceIdWithRandomness(0xFF_FFFF_FFFF_FFFFL);
  private static final byte[] NEVER_SAMPLED = Spans.traceIdWithRandomness(0);

  private static TraceFacts facts(long durationMs, boolean error, Map<String, Long> modelMs) {
    Map<String, Long> nanos = new java.util.HashMap<>();
    modelMs.forEach((k, v) -> nanos.put(k, v * Spans.MS));
    return new TraceFacts(5, 100, Spans.T0, Spans.T0 + durationMs * Spans.MS, true, error, nanos,
        Set.of("gateway"), OtelTraceState.ABSENT, OtelTraceState.ABSENT);
  }

  private static Decision decide(Decider d, TraceFacts f, byte[] traceId) {
    return d.decide(f, traceId, 0);
  }

  private static java.util.function.Consumer<Decision> kept(String rule) {
    return d -> assertThat(d).extracting(Decision::kept, Decision::rule).containsExactly(true, rule);
  }

  private static java.util.function.Consumer<Decision> dropped(String rule) {
    return d -> assertThat(d).extracting(Decision::kept, Decision::rule).containsExactly(false, rule);
  }

  @Test
  void errorsAreKeptFirst() {
    Decision d = decide(CORE, facts(3000, true, Map.of()), NEVER_SAMPLED);
    assertThat(d).satisfies(kept("errors"));
  }

  @Test
  void slowTracesAreKeptStrictlyAboveTheLimit() {
    assertThat(decide(CORE, facts(2001, false, Map.of()), NEVER_SAMPLED)).satisfies(kept("slow"));
    assertThat(decide(CORE, facts(2000, false, Map.of()), NEVER_SAMPLED).kept()).isFalse();
  }

  @Test
  void modelThresholdsApplyPerModelWithDefault() {
    assertThat(decide(CORE, facts(900, false, Map.of("ranker-v3", 801L)), NEVER_SAMPLED))
        .satisfies(kept("slow-model"));
    assertThat(decide(CORE, facts(900, false, Map.of("ranker-v3", 800L)), NEVER_SAMPLED).kept()).isFalse();
    // embedder-v2 has no threshold of its own: the default 1500ms applies.
    assertThat(decide(CORE, facts(1900, false, Map.of("embedder-v2", 1200L)), NEVER_SAMPLED).kept()).isFalse();
    assertThat(decide(CORE, facts(1900, false, Map.of("embedder-v2", 1600L)), NEVER_SAMPLED))
        .satisfies(kept("slow-model"));
    assertThat(CORE.modelAttributes()).containsExactly("gen_ai.request.model");
  }

  @Test
  void nothingMatchingIsDroppedAsNoRule() {
    assertThat(decide(CORE, facts(100, false, Map.of()), NEVER_SAMPLED))
        .satisfies(dropped(Decision.NO_RULE));
  }

  @Test
  void baselineKeepsWithThresholdInTracestate() {
    Decision d = decide(CORE, facts(100, false, Map.of()), ALWAYS_SAMPLED);
    assertThat(d.kept()).isTrue();
    assertThat(d.rule()).isEqualTo("baseline");
    assertThat(d.threshold()).isEqualTo(Decider.thresholdFor(0.01));
    assertThat(OtelTraceState.encodeThreshold(d.threshold())).isEqualTo("fd70a3d70a3d7");
  }

  @Test
  void deterministicRulesKeepTheIncomingThreshold() {
    assertThat(decide(CORE, facts(100, true, Map.of()), ALWAYS_SAMPLED).rewritesThreshold()).isFalse();
  }

  @Test
  void baselineFractionMatchesTheRateWithinTolerance() {
    Random random = new Random(42);
    int kept = 0;
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      if (decide(CORE, facts(100, false, Map.of()), Spans.randomTraceId(random)).kept()) {
        kept++;
      }
    }
    // Binomial(200000, 0.01): sd ≈ 44.5; 5 sd either side.
    assertThat((double) kept).isCloseTo(2000, within(225d));
  }

  @Test
  void samplingIsConsistentForTheSameTrace() {
    Random random = new Random(7);
    for (int i = 0; i < 1000; i++) {
      byte[] id = Spans.randomTraceId(random);
      assertThat(decide(CORE, facts(10, false, Map.of()), id))
          .isEqualTo(decide(CORE, facts(10, false, Map.of()), id.clone()));
    }
  }

  @Test
  void explicitRandomnessFromTracestateWinsOverTheTraceId() {
    TraceFacts withRv = new TraceFacts(1, 1, Spans.T0, Spans.T0 + 1, true, false, Map.of(), Set.of(),
        0xFF_FFFF_FFFF_FFFFL, OtelTraceState.ABSENT);
    assertThat(decide(CORE, withRv, NEVER_SAMPLED).rule()).isEqualTo("baseline");
  }

  @Test
  void neverLowersAnIncomingThreshold() {
    long incoming = Decider.thresholdFor(0.001); // head-sampled at 0.1%, higher than our 1%'s T
    TraceFacts f = new TraceFacts(1, 1, Spans.T0, Spans.T0 + 1, true, false, Map.of(), Set.of(),
        OtelTraceState.ABSENT, incoming);
    Decision d = decide(CORE, f, ALWAYS_SAMPLED);
    assertThat(d.spanThreshold(incoming)).isEqualTo(incoming);
    assertThat(d.spanThreshold(OtelTraceState.ABSENT)).isEqualTo(Decider.thresholdFor(0.01));
  }

  @Test
  void aRootConditionTellsTracesDecidedWithoutTheirRootFromTheOthers() {
    Decider d = rules("""
        rules:
          - name: rootless
            keep: { root: missing }
          - name: whole
            keep: { root: present, error: false }
        """);
    TraceFacts withRoot = plain(5);
    TraceFacts withoutRoot = new TraceFacts(5, 100, Spans.T0, Spans.T0 + 100 * Spans.MS, false, false,
        Map.of(), Set.of("gateway"), OtelTraceState.ABSENT, OtelTraceState.ABSENT);

    assertThat(decide(d, withoutRoot, NEVER_SAMPLED)).satisfies(kept("rootless"));
    assertThat(decide(d, withRoot, NEVER_SAMPLED)).satisfies(kept("whole"));
  }

  @Test
  void aRootConditionAcceptsPresentOrMissingOnly() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> rules("rules: [ { name: r, keep: { root: absent } } ]"))
        .hasMessageContaining("bad value 'absent': expected present or missing");
  }

  private static Decider rules(String yaml) {
    return Decider.compile(RulesParser.parse(yaml, "r.yaml"));
  }

  /** 100 ms, no error, {@code spans} spans, no incoming threshold. */
  private static TraceFacts plain(int spans) {
    return new TraceFacts(spans, 100, Spans.T0, Spans.T0 + 100 * Spans.MS, true, false, Map.of(),
        Set.of("gateway"), OtelTraceState.ABSENT, OtelTraceState.ABSENT);
  }

  private static final String HEALTH_THEN_BASELINE = """
      rules:
        - name: health
          keep: { latency: "< 1s" }
          sample: 0.1%
        - name: baseline
          sample: 10%
      """;

  @Test
  void aTraceKeptByAnEarlierSampledRuleCarriesTheLowestThresholdOfTheRulesItReaches() {
    Decision d = decide(rules(HEALTH_THEN_BASELINE), plain(5), ALWAYS_SAMPLED);
    assertThat(d).satisfies(kept("health"));
    assertThat(d.threshold()).isEqualTo(Decider.thresholdFor(0.1));
  }

  @Test
  void adjustedCountsOfASampledRuleBeforeABaselineEstimateTheTraces() {
    // The example: kept at 10% in all, not at 0.1% and 10% mixed (1.99 per trace).
    Decider d = rules(HEALTH_THEN_BASELINE);
    Random random = new Random(11);
    int n = 1_000_000;
    double adjusted = 0;
    for (int i = 0; i < n; i++) {
      Decision decision = decide(d, plain(5), Spans.randomTraceId(random));
      if (decision.kept()) {
        adjusted += (double) OtelTraceState.MAX_THRESHOLD
            / (OtelTraceState.MAX_THRESHOLD - decision.spanThreshold(OtelTraceState.ABSENT));
      }
    }
    // Each kept trace counts 10: sd of the sum = sqrt(n * 0.9 / 0.1) = 3000, 0.3% of n.
    assertThat(adjusted / n).isCloseTo(1.0, within(0.03));
  }

  @Test
  void aDropRuleEndsTheSearchForLaterThresholds() {
    Decider d = rules("""
        rules:
          - name: health
            keep: { latency: "< 1s" }
            sample: 0.1%
          - name: big
            drop: { span-count: { min: 3 } }
          - name: baseline
            sample: 10%
        """);
    assertThat(decide(d, plain(5), ALWAYS_SAMPLED).threshold()).isEqualTo(Decider.thresholdFor(0.001));
    assertThat(decide(d, plain(1), ALWAYS_SAMPLED).threshold()).isEqualTo(Decider.thresholdFor(0.1));
    assertThat(decide(d, plain(5), NEVER_SAMPLED)).satisfies(dropped("big"));
  }

  @Test
  void aSampledRuleBeforeADeterministicKeepKeepsTheIncomingThreshold() {
    Decider d = rules("""
        rules:
          - name: some-errors
            keep: { error: true }
            sample: 10%
          - name: errors
            keep: { error: true }
        """);
    Decision d1 = decide(d, facts(100, true, Map.of()), ALWAYS_SAMPLED);
    assertThat(d1).satisfies(kept("some-errors"));
    assertThat(d1.threshold()).isEqualTo(Decision.KEEP_INCOMING);
    assertThat(d1.rewritesThreshold()).isFalse();
  }

  @Test
  void aSampledRuleBeforeDefaultKeepKeepsTheIncomingThreshold() {
    Decider d = rules("default: keep\nrules:\n  - name: some\n    sample: 25%\n");
    Decision d1 = decide(d, plain(1), ALWAYS_SAMPLED);
    assertThat(d1).satisfies(kept("some"));
    assertThat(d1.threshold()).isEqualTo(Decision.KEEP_INCOMING);
    assertThat(decide(d, plain(1), NEVER_SAMPLED)).satisfies(kept(Decision.NO_RULE));
  }

  @Test
  void aRateLimitedKeepErasesTheThreshold() {
    Decider d = rules("""
        rules:
          - name: capped
            keep: { error: true }
            rate-limit: "1 traces/s"
        """);
    Decision first = decide(d, facts(100, true, Map.of()), ALWAYS_SAMPLED);
    assertThat(first).satisfies(kept("capped"));
    assertThat(first.erasesThreshold()).isTrue();
    assertThat(first.spanThreshold(Decider.thresholdFor(0.5))).isEqualTo(OtelTraceState.ABSENT);
    assertThat(decide(d, facts(100, true, Map.of()), ALWAYS_SAMPLED).kept()).as("over the limit").isFalse();
  }

  @Test
  void aBytesLimitedKeepErasesTheThreshold() {
    Decider d = rules("rules:\n  - name: b\n    keep: { error: false }\n    bytes-limit: 1KiB/s\n");
    Decision kept = decide(d, plain(1), ALWAYS_SAMPLED);
    assertThat(kept).satisfies(kept("b"));
    assertThat(kept.erasesThreshold()).isTrue();
  }

  @Test
  void aSampledAndLimitedKeepErasesTheThreshold() {
    // The limiter drops some of the traces the rate selects: 50% is no longer the probability.
    Decider d = rules("rules:\n  - name: s\n    sample: 50%\n    rate-limit: \"100 traces/s\"\n");
    Decision kept = decide(d, plain(1), ALWAYS_SAMPLED);
    assertThat(kept).satisfies(kept("s"));
    assertThat(kept.erasesThreshold()).isTrue();
  }

  @Test
  void aLimitedKeepOfATraceTheLaterRulesKeepAnywayCarriesTheirThreshold() {
    Decider d = rules("""
        rules:
          - name: capped
            keep: { error: false }
            rate-limit: "2 traces/s"
          - name: baseline
            sample: 10%
        """);
    Decision lucky = decide(d, plain(1), ALWAYS_SAMPLED);
    assertThat(lucky).satisfies(kept("capped"));
    assertThat(lucky.threshold()).isEqualTo(Decider.thresholdFor(0.1));
    Decision unlucky = decide(d, plain(1), NEVER_SAMPLED);
    assertThat(unlucky).satisfies(kept("capped"));
    assertThat(unlucky.erasesThreshold()).isTrue();
    Decision overLimit = decide(d, plain(1), ALWAYS_SAMPLED);
    assertThat(overLimit).satisfies(kept("baseline"));
    assertThat(overLimit.threshold()).isEqualTo(Decider.thresholdFor(0.1));
  }

  @Test
  void aLimitedKeepBeforeADeterministicKeepKeepsTheIncomingThreshold() {
    Decider d = rules("default: keep\nrules:\n  - name: capped\n    rate-limit: \"1 traces/s\"\n");
    Decision kept = decide(d, plain(1), NEVER_SAMPLED);
    assertThat(kept).satisfies(kept("capped"));
    assertThat(kept.threshold()).isEqualTo(Decision.KEEP_INCOMING);
  }

  @Test
  void stressSamplingNeverLowersAnIncomingThreshold() {
    long incoming = Decider.thresholdFor(0.001);
    TraceFacts f = new TraceFacts(1, 1, Spans.T0, Spans.T0 + 1, true, false, Map.of(), Set.of(),
        OtelTraceState.ABSENT, incoming);
    Decision d = CORE.decideUnderStress(f, ALWAYS_SAMPLED, 0.01);
    assertThat(d).satisfies(kept(Decider.STRESS_SAMPLE));
    assertThat(d.spanThreshold(incoming)).isEqualTo(incoming);
    assertThat(d.spanThreshold(OtelTraceState.ABSENT)).isEqualTo(Decider.thresholdFor(0.01));
  }

  @Test
  void thresholdMathAtTheEdges() {
    assertThat(Decider.thresholdFor(1.0)).isZero();
    assertThat(Decider.thresholdFor(0.0)).isEqualTo(OtelTraceState.MAX_THRESHOLD);
    assertThat(Decider.thresholdFor(0.5)).isEqualTo(1L << 55);
    assertThat(TraceIds.randomness(ALWAYS_SAMPLED)).isEqualTo(0xFF_FFFF_FFFF_FFFFL);
  }

  @Test
  void sampledKeepRuleFallsThroughWhenNotSelectedAndDropRulesDecide() {
    Decider d = Decider.compile(RulesParser.parse("""
        rules:
          - name: tiny
            drop: { latency: "< 1ms" }
          - name: some-errors
            keep: { error: true }
            sample: 50%
          - name: all-slow
            keep: { latency: "> 1s" }
        """, "r.yaml"));
    assertThat(decide(d, facts(0, true, Map.of()), ALWAYS_SAMPLED)).satisfies(dropped("tiny"));
    assertThat(decide(d, facts(5000, true, Map.of()), ALWAYS_SAMPLED).rule()).isEqualTo("some-errors");
    assertThat(decide(d, facts(5000, true, Map.of()), NEVER_SAMPLED)).satisfies(kept("all-slow"));
  }
}
