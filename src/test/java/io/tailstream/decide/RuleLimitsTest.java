package io.tailstream.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.rules.RulesParser;
import io.tailstream.testing.Spans;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rate limits, byte limits and learned model thresholds: the rules whose answer depends on time. */
class RuleLimitsTest {
  private static final byte[] ID = Spans.traceId(1);

  private static TraceFacts facts(int spans, long bytes, Map<String, Long> modelNanos) {
    return new TraceFacts(spans, bytes, 0, 1, true, false, modelNanos, Set.of(), -1, -1);
  }

  @Test
  void tracesPerSecondLimitFallsThroughToTheNextRule() {
    Decider d = Decider.compile(RulesParser.parse("""
        rules:
          - name: capped
            sample: 100%
            rate-limit: "3 traces/s"
          - name: rest
            sample: 100%
        """, "r.yaml"));
    int capped = 0;
    for (int i = 0; i < 10; i++) {
      if (d.decide(facts(1, 10, Map.of()), ID, 1_000).rule().equals("capped")) {
        capped++;
      }
    }
    assertThat(capped).isEqualTo(3);
    // One second later the bucket holds 3 again.
    assertThat(d.decide(facts(1, 10, Map.of()), ID, 2_000).rule()).isEqualTo("capped");
  }

  @Test
  void spansPerSecondAndBytesPerSecond() {
    Decider spans = Decider.compile(RulesParser.parse(
        "rules:\n  - name: s\n    sample: 100%\n    rate-limit: \"100 spans/s\"\n", "r.yaml"));
    assertThat(spans.decide(facts(60, 1, Map.of()), ID, 0).kept()).isTrue();
    assertThat(spans.decide(facts(60, 1, Map.of()), ID, 0).kept()).isFalse();
    assertThat(spans.decide(facts(60, 1, Map.of()), ID, 600).kept()).isTrue();

    Decider bytes = Decider.compile(RulesParser.parse(
        "rules:\n  - name: b\n    keep: { error: false }\n    bytes-limit: 1KiB/s\n", "r.yaml"));
    assertThat(bytes.decide(facts(1, 600, Map.of()), ID, 0).kept()).isTrue();
    assertThat(bytes.decide(facts(1, 600, Map.of()), ID, 0).kept()).isFalse();
  }

  @Test
  void learnedThresholdReplacesTheDefaultAfterMinSamples() {
    Decider d = Decider.compile(RulesParser.parse("""
        rules:
          - name: slow-model
            keep:
              model-inference:
                thresholds: { default: 1s }
                learned: { percentile: 90, window: 10m, min-samples: 100, factor: 1.5 }
        """, "r.yaml"));
    long ms = 1_000_000L;
    // 600ms is fast for the 1s default ...
    assertThat(d.decide(facts(1, 1, Map.of("ranker", 600 * ms)), ID, 0).kept()).isFalse();
    // ... but after 200 inferences of 100..199ms, p90 ≈ 180ms × 1.5 ≈ 270ms.
    var extractor = d.extractor();
    for (int i = 0; i < 200; i++) {
      var data = io.opentelemetry.proto.trace.v1.TracesData.newBuilder().addResourceSpans(
          Spans.resource("model-server", "inference",
              Spans.model(Spans.span(ID, i + 2, 1, "inference", 0, 100 + (i % 100)), "ranker"))).build();
      extractor.extract(data, 1, 1_000);
    }
    assertThat(d.decide(facts(1, 1, Map.of("ranker", 600 * ms)), ID, 2_500).kept()).isTrue();
    assertThat(d.decide(facts(1, 1, Map.of("ranker", 250 * ms)), ID, 2_500).kept()).isFalse();
    // A model with too few samples still uses the default.
    assertThat(d.decide(facts(1, 1, Map.of("embedder", 600 * ms)), ID, 2_500).kept()).isFalse();
    String described = d.learners().describe(2_500).values().iterator().next().get("ranker");
    assertThat(described).contains("n=200");
  }

  @Test
  void learnedStateSurvivesRecompilationWithTheSameLearners() {
    String rules = "rules:\n  - name: m\n    keep:\n      model-inference:\n"
        + "        learned: { min-samples: 1, percentile: 50 }\n";
    Decider first = Decider.compile(RulesParser.parse(rules, "r.yaml"));
    var data = io.opentelemetry.proto.trace.v1.TracesData.newBuilder().addResourceSpans(
        Spans.resource("m", "s", Spans.model(Spans.span(ID, 2, 1, "inference", 0, 100), "x"))).build();
    first.extractor().extract(data, 1, 0);
    Decider reloaded = Decider.compile(RulesParser.parse(rules + "  - name: extra\n    sample: 1%\n",
        "r.yaml"), first.adaptive());
    assertThat(reloaded.decide(facts(1, 1, Map.of("x", 200_000_000L)), ID, 5_000).rule()).isEqualTo("m");
  }
}
