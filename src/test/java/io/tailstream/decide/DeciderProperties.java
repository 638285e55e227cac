package io.tailstream.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.adapt.AdaptiveState;
import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostTable;
import io.tailstream.adapt.ModelLearners;
import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.RulesParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Scale;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Laws of the rule language and of consistent probability sampling. */
class DeciderProperties {
  private static final Logger LOG = LoggerFactory.getLogger(DeciderProperties.class);
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

  /** One rule of a random chain: {@code kind} is sampled, plain (no condition), keep or drop. */
  record ChainRule(String kind, String condition, String rate) {
    String yaml(String name) {
      String head = "  - name: " + name + "\n";
      return head + switch (kind) {
        case "sampled" -> "    keep: " + condition + "\n    sample: " + rate + "\n";
        case "plain" -> "    sample: " + rate + "\n";
        case "keep" -> "    keep: " + condition + "\n";
        case "drop" -> "    drop: " + condition + "\n";
        default -> throw new IllegalStateException("unknown kind " + kind);
      };
    }

    /** The condition a trace must meet for this rule to apply; plain rules apply to all. */
    String applies() {
      return kind.equals("plain") ? TRUE : condition;
    }
  }

  /** Conditions on the facts of {@link #FACTS}, each true for 30 to 70% of the traces. */
  @Provide
  Arbitrary<String> broadConditions() {
    return Arbitraries.of("{ error: true }", "{ error: false }", "{ latency: \"> 500ms\" }",
        "{ latency: \"< 500ms\" }", "{ span-count: { min: 5 } }", "{ span-count: { max: 4 } }");
  }

  /** Rates of at least 25%, so that each group's estimate has a relative sd under 0.6%. */
  @Provide
  Arbitrary<ChainRule> chainRules() {
    return Combinators.combine(
            Arbitraries.frequency(Tuple.of(4, "sampled"), Tuple.of(2, "plain"), Tuple.of(2, "keep"),
                Tuple.of(2, "drop")),
            broadConditions(), Arbitraries.of("25%", "40%", "50%", "80%", "100%"))
        .as(ChainRule::new);
  }

  /** Boosts in scope of service "a" or all, for rule r0..r4 or none, of each effect. */
  @Provide
  Arbitrary<Boost> chainBoosts() {
    return Combinators.combine(Arbitraries.of("a", "").injectNull(0.5),
            Arbitraries.of("r0", "r1", "r2", "r3", "r4", "").injectNull(0.4),
            Arbitraries.of("sample 50%", "sample 90%", "factor 2", "keep-all"),
            Arbitraries.strings().alpha().ofLength(6))
        .as((service, rule, effect, id) -> new Boost(id,
            service == null || service.isEmpty() ? null : service,
            null, rule == null || rule.isEmpty() ? null : rule,
            effect.startsWith("sample") ? Double.parseDouble(effect.substring(7, 9)) / 100 : Boost.NONE,
            effect.startsWith("factor") ? 2 : 1, effect.equals("keep-all"), 10_000, "p", "p", false));
  }

  /** The kinds of trace: error or not, 100 or 900 ms, 2 or 7 spans, service a or b. */
  private static final List<TraceFacts> FACTS = facts(OtelTraceState.ABSENT);
  private static final long HEAD_THRESHOLD = Decider.thresholdFor(0.5);
  private static final double HEAD_SAMPLED = 0.3;
  private static final int TRACES = 1_000_000;
  /** Groups smaller than this are reported, not checked: 3% is then > 5 sd (see below). */
  private static final int MIN_GROUP = 100_000;

  private static List<TraceFacts> facts(long randomness) {
    List<TraceFacts> all = new ArrayList<>();
    for (int k = 0; k < 16; k++) {
      all.add(new TraceFacts((k & 2) != 0 ? 7 : 2, 100, 0, ((k & 1) != 0 ? 900 : 100) * 1_000_000L,
          true, (k & 4) != 0, Map.of(), Set.of((k & 8) != 0 ? "a" : "b"), randomness,
          OtelTraceState.ABSENT));
    }
    return all;
  }

  private static TraceFacts withIncoming(TraceFacts f, long threshold) {
    return new TraceFacts(f.spanCount(), f.bytes(), f.minStartNanos(), f.maxEndNanos(),
        f.rootSeen(), f.errorSeen(), f.modelMaxNanos(), f.services(), f.randomness(), threshold);
  }

  /**
   * The OTel promise of {@code th}: summing the adjusted counts (2^56 / (2^56 - th), 1 without
   * th) of the kept traces estimates how many traces there were. Here over random rule chains,
   * defaults and boosts, with 30% of the traces head-sampled at 50% before they arrive (those
   * come with {@code th:8}; the ones the head sampler dropped count in the population too). The
   * target is the traces the rules can keep at all: a trace dropped for sure by a drop rule is
   * represented by no kept trace. Whether facts can be kept is asked of the decider with the
   * highest randomness, which every threshold below 2^56 passes.
   *
   * <p>Every kept trace's probability is at least 25% (rates >= 25%, head 50%), so a group of n
   * traces has an estimate with sd <= sqrt(3 / n) relative: 0.55% at 100,000, where 3% is 5.5 sd.
   */
  @Property(tries = 50)
  void adjustedCountsEstimateTheTracesOverallAndPerRule(
      @ForAll @Size(min = 1, max = 5) List<@From("chainRules") ChainRule> chain,
      @ForAll boolean defaultKeep,
      @ForAll @Size(max = 2) List<@From("chainBoosts") Boost> boosts,
      @ForAll long seed) {
    StringBuilder yaml = new StringBuilder("default: " + (defaultKeep ? "keep" : "drop") + "\nrules:\n");
    for (int i = 0; i < chain.size(); i++) {
      yaml.append(chain.get(i).yaml("r" + i));
    }
    BoostTable table = new BoostTable(10);
    boosts.forEach(b -> table.put(b, 0));
    Decider decider = Decider.compile(RulesParser.parse(yaml.toString(), "chain.yaml"),
        new AdaptiveState(new ModelLearners(), table, () -> 1));
    int kinds = FACTS.size();
    List<TraceFacts> lucky = facts(OtelTraceState.MAX_THRESHOLD - 1);
    boolean[] keepable = new boolean[kinds];
    boolean[][] applies = new boolean[chain.size()][kinds];
    for (int k = 0; k < kinds; k++) {
      keepable[k] = decider.decide(lucky.get(k), new byte[16], 0).kept();
      for (int i = 0; i < chain.size(); i++) {
        applies[i][k] = keeps(chain.get(i).applies(), FACTS.get(k));
      }
    }

    long[] population = new long[kinds];
    double[] adjusted = new double[kinds];
    Random random = new Random(seed);
    byte[] id = new byte[16];
    for (int n = 0; n < TRACES; n++) {
      random.nextBytes(id);
      int k = random.nextInt(kinds);
      population[k]++;
      TraceFacts facts = FACTS.get(k);
      if (random.nextDouble() < HEAD_SAMPLED) {
        if (TraceIds.randomness(id) < HEAD_THRESHOLD) {
          continue; // dropped by the head sampler: never reaches us
        }
        facts = withIncoming(facts, HEAD_THRESHOLD);
      }
      Decision d = decider.decide(facts, id, 0);
      if (d.kept()) {
        assertThat(d.erasesThreshold()).as("no limits here: %s", d).isFalse();
        adjusted[k] += adjustedCount(d.spanThreshold(facts.threshold()));
      }
    }

    StringBuilder figures = new StringBuilder();
    int checked = 0;
    for (int i = -1; i < chain.size(); i++) {
      long truth = 0;
      double estimate = 0;
      for (int k = 0; k < kinds; k++) {
        if (i < 0 || applies[i][k]) {
          truth += keepable[k] ? population[k] : 0;
          estimate += adjusted[k];
          if (!keepable[k]) {
            assertThat(adjusted[k]).as("kept traces of unkeepable facts").isZero();
          }
        }
      }
      String group = i < 0 ? "all" : "r" + i;
      figures.append(String.format(" %s %.0f/%d", group, estimate, truth));
      if (truth >= MIN_GROUP) {
        checked++;
        figures.append(String.format(" (%+.2f%%)", 100 * (estimate / truth - 1)));
        assertThat(estimate).as("estimated traces of group %s, rules:%n%s%s", group, yaml, boosts)
            .isBetween(truth * 0.97, truth * 1.03);
      }
    }
    Statistics.label("groups checked").collect(checked);
    LOG.info("adjusted counts vs keepable traces of {}:{}", TRACES, figures);
  }

  private static double adjustedCount(long threshold) {
    return threshold == OtelTraceState.ABSENT ? 1
        : (double) OtelTraceState.MAX_THRESHOLD / (OtelTraceState.MAX_THRESHOLD - threshold);
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
