package io.tailstream.decide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.RulesParser;
import io.tailstream.testing.Spans;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeciderTest {
  private static final Decider CORE = Decider.compile(RulesParser.parse("""
      rules:
        - name: errors
          keep: { error: true }
        - name: slow
          keep: { latency: "> 2s" }
        - name: slow-model
          keep:
            model-inference:
              thresholds: { ranker-v3: 800ms, default: 1500ms }
        - name: baseline
          sample: 1%
      """, "rules.yaml"));

  private static final byte[] ALWAYS_SAMPLED = idWithRandomness(0xFF_FFFF_FFFF_FFFFL);
  private static final byte[] NEVER_SAMPLED = idWithRandomness(0);

  private static TraceFacts facts(long durationMs, boolean error, Map<String, Long> modelMs) {
    Map<String, Long> nanos = new java.util.HashMap<>();
    modelMs.forEach((k, v) -> nanos.put(k, v * Spans.MS));
    return new TraceFacts(5, 100, Spans.T0, Spans.T0 + durationMs * Spans.MS, true, error, nanos,
        Set.of("gateway"), OtelTraceState.ABSENT, OtelTraceState.ABSENT);
  }

  private static byte[] idWithRandomness(long r) {
    byte[] id = new byte[16];
    id[0] = 1;
    for (int i = 0; i < 7; i++) {
      id[15 - i] = (byte) (r >>> (8 * i));
    }
    return id;
  }

  @Test
  void errorsAreKeptFirst() {
    Decision d = CORE.decide(facts(3000, true, Map.of()), NEVER_SAMPLED);
    assertThat(d).isEqualTo(Decision.keep("errors"));
  }

  @Test
  void slowTracesAreKeptStrictlyAboveTheLimit() {
    assertThat(CORE.decide(facts(2001, false, Map.of()), NEVER_SAMPLED)).isEqualTo(Decision.keep("slow"));
    assertThat(CORE.decide(facts(2000, false, Map.of()), NEVER_SAMPLED).kept()).isFalse();
  }

  @Test
  void modelThresholdsApplyPerModelWithDefault() {
    assertThat(CORE.decide(facts(900, false, Map.of("ranker-v3", 801L)), NEVER_SAMPLED))
        .isEqualTo(Decision.keep("slow-model"));
    assertThat(CORE.decide(facts(900, false, Map.of("ranker-v3", 800L)), NEVER_SAMPLED).kept()).isFalse();
    // embedder-v2 has no threshold of its own: the default 1500ms applies.
    assertThat(CORE.decide(facts(1900, false, Map.of("embedder-v2", 1200L)), NEVER_SAMPLED).kept()).isFalse();
    assertThat(CORE.decide(facts(1900, false, Map.of("embedder-v2", 1600L)), NEVER_SAMPLED))
        .isEqualTo(Decision.keep("slow-model"));
    assertThat(CORE.modelAttributes()).containsExactly("gen_ai.request.model");
  }

  @Test
  void nothingMatchingIsDroppedAsNoRule() {
    assertThat(CORE.decide(facts(100, false, Map.of()), NEVER_SAMPLED))
        .isEqualTo(Decision.drop(Decision.NO_RULE));
  }

  @Test
  void baselineKeepsWithThresholdInTracestate() {
    Decision d = CORE.decide(facts(100, false, Map.of()), ALWAYS_SAMPLED);
    assertThat(d.kept()).isTrue();
    assertThat(d.rule()).isEqualTo("baseline");
    assertThat(d.threshold()).isEqualTo(Decider.thresholdFor(0.01));
    assertThat(OtelTraceState.encodeThreshold(d.threshold())).isEqualTo("fd70a3d70a3d7");
  }

  @Test
  void deterministicRulesKeepTheIncomingThreshold() {
    assertThat(CORE.decide(facts(100, true, Map.of()), ALWAYS_SAMPLED).rewritesThreshold()).isFalse();
  }

  @Test
  void baselineFractionMatchesTheRateWithinTolerance() {
    Random random = new Random(42);
    int kept = 0;
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      if (CORE.decide(facts(100, false, Map.of()), Spans.randomTraceId(random)).kept()) {
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
      assertThat(CORE.decide(facts(10, false, Map.of()), id))
          .isEqualTo(CORE.decide(facts(10, false, Map.of()), id.clone()));
    }
  }

  @Test
  void explicitRandomnessFromTracestateWinsOverTheTraceId() {
    TraceFacts withRv = new TraceFacts(1, 1, Spans.T0, Spans.T0 + 1, true, false, Map.of(), Set.of(),
        0xFF_FFFF_FFFF_FFFFL, OtelTraceState.ABSENT);
    assertThat(CORE.decide(withRv, NEVER_SAMPLED).rule()).isEqualTo("baseline");
  }

  @Test
  void neverLowersAnIncomingThreshold() {
    long incoming = Decider.thresholdFor(0.001); // head-sampled at 0.1%, higher than our 1%'s T
    TraceFacts f = new TraceFacts(1, 1, Spans.T0, Spans.T0 + 1, true, false, Map.of(), Set.of(),
        OtelTraceState.ABSENT, incoming);
    Decision d = CORE.decide(f, ALWAYS_SAMPLED);
    assertThat(d.threshold()).isEqualTo(incoming);
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
    assertThat(d.decide(facts(0, true, Map.of()), ALWAYS_SAMPLED)).isEqualTo(Decision.drop("tiny"));
    assertThat(d.decide(facts(5000, true, Map.of()), ALWAYS_SAMPLED).rule()).isEqualTo("some-errors");
    assertThat(d.decide(facts(5000, true, Map.of()), NEVER_SAMPLED)).isEqualTo(Decision.keep("all-slow"));
  }
}
