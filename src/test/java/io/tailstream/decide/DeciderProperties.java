package io.tailstream.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.RulesParser;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.constraints.Size;

/** Laws of the rule language and of consistent probability sampling. */
class DeciderProperties {
  private static final String TRUE = "{ span-count: { min: 0 } }";
  private static final String FALSE = "{ span-count: { max: 0 } }";

  @Provide
  Arbitrary<String> atoms() {
    return Arbitraries.of("{ error: true }", "{ error: false }", "{ latency: \"> 500ms\" }",
        "{ latency: \"100ms..900ms\" }", "{ span-count: { min: 3 } }", "{ span-count: { max: 10 } }",
        TRUE, FALSE);
  }

  @Provide
  Arbitrary<String> conditions() {
    Arbitrary<String> atoms = atoms();
    return Arbitraries.recursive(() -> atoms, inner -> Arbitraries.oneOf(
        inner.map(c -> "{ not: " + c + " }"),
        Combinators.combine(inner, inner).as((a, b) -> "{ all-of: [" + a + ", " + b + "] }"),
        Combinators.combine(inner, inner).as((a, b) -> "{ any-of: [" + a + ", " + b + "] }")), 3);
  }

  @Provide
  Arbitrary<TraceFacts> facts() {
    return Combinators.combine(Arbitraries.integers().between(1, 20),
            Arbitraries.longs().between(0, 3_000), Arbitraries.of(true, false))
        .as((spans, ms, error) -> new TraceFacts(spans, 100, 0, ms * 1_000_000L, true, error,
            Map.of(), Set.of(), -1, -1));
  }

  private static boolean keeps(String condition, TraceFacts facts) {
    Decider d = Decider.compile(RulesParser.parse("rules:\n  - name: r\n    keep: " + condition + "\n", "p.yaml"));
    return d.decide(facts, new byte[16], 0).kept();
  }

  @Property(tries = 300)
  void doubleNegationIsIdentity(@ForAll("conditions") String c, @ForAll("facts") TraceFacts f) {
    assertThat(keeps("{ not: { not: " + c + " } }", f)).isEqualTo(keeps(c, f));
  }

  @Property(tries = 300)
  void constantsInComposites(@ForAll("conditions") String c, @ForAll("facts") TraceFacts f) {
    boolean x = keeps(c, f);
    assertThat(keeps("{ all-of: [" + c + ", " + TRUE + "] }", f)).isEqualTo(x);
    assertThat(keeps("{ any-of: [" + c + ", " + FALSE + "] }", f)).isEqualTo(x);
    assertThat(keeps("{ all-of: [" + c + ", " + FALSE + "] }", f)).isFalse();
    assertThat(keeps("{ any-of: [" + c + ", " + TRUE + "] }", f)).isTrue();
  }

  @Property(tries = 200)
  void theSameTraceIdAlwaysGetsTheSameDecision(@ForAll @Size(16) byte[] traceId,
      @ForAll @DoubleRange(min = 0, max = 1) double rate) {
    Decider d = Decider.compile(RulesParser.parse(
        "rules:\n  - name: s\n    sample: " + rate + "\n", "p.yaml"));
    TraceFacts f = new TraceFacts(1, 1, 0, 1, true, false, Map.of(), Set.of(), -1, -1);
    Decision first = d.decide(f, traceId, 0);
    for (int i = 0; i < 3; i++) {
      assertThat(Decider.compile(RulesParser.parse("rules:\n  - name: s\n    sample: " + rate + "\n", "q.yaml"))
          .decide(f, traceId.clone(), i)).isEqualTo(first);
    }
    assertThat(first.kept()).isEqualTo(TraceIds.randomness(traceId) >= Decider.thresholdFor(rate));
  }

  @Property(tries = 10)
  void keptFractionIsTheRateWithinFiveStandardDeviations(
      @ForAll @DoubleRange(min = 0.001, max = 0.999) @Scale(4) double rate, @ForAll long seed) {
    Decider d = Decider.compile(RulesParser.parse("rules:\n  - name: s\n    sample: " + rate + "\n", "p.yaml"));
    TraceFacts f = new TraceFacts(1, 1, 0, 1, true, false, Map.of(), Set.of(), -1, -1);
    Random random = new Random(seed);
    int n = 100_000;
    int kept = 0;
    byte[] id = new byte[16];
    for (int i = 0; i < n; i++) {
      random.nextBytes(id);
      kept += d.decide(f, id, 0).kept() ? 1 : 0;
    }
    double sd = Math.sqrt(n * rate * (1 - rate));
    assertThat((double) kept).isBetween(n * rate - 5 * sd, n * rate + 5 * sd);
  }

  @Property
  void thresholdEncodingRoundTrips(@ForAll @LongRange(min = 0, max = (1L << 56) - 1) long t) {
    assertThat(OtelTraceState.threshold("ot=th:" + OtelTraceState.encodeThreshold(t))).isEqualTo(t);
  }

  @Example
  void thresholdsOfTheSpecExamples() {
    assertThat(OtelTraceState.encodeThreshold(Decider.thresholdFor(1.0))).isEqualTo("0");
    assertThat(OtelTraceState.encodeThreshold(Decider.thresholdFor(0.5))).isEqualTo("8");
    assertThat(OtelTraceState.encodeThreshold(Decider.thresholdFor(0.25))).isEqualTo("c");
    assertThat(OtelTraceState.encodeThreshold(Decider.thresholdFor(0.01), 6)).isEqualTo("fd70a4");
    assertThat(OtelTraceState.encodeThreshold(Decider.thresholdFor(0.1), 4)).isEqualTo("e666");
    assertThat(OtelTraceState.encodeThreshold(Decider.thresholdFor(1.0 / 3), 4)).isEqualTo("aaab");
  }
}
