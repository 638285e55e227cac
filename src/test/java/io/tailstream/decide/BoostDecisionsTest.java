package io.tailstream.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostTable;
import io.tailstream.adapt.ModelLearners;
import io.tailstream.rules.RulesParser;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How boosts change decisions: scope, effects, expiry. */
class BoostDecisionsTest {
  private static final String RULES = """
      rules:
        - name: errors
          keep: { error: true }
        - name: baseline
          sample: 1%
      """;

  private final BoostTable boosts = new BoostTable(10);
  private final Decider decider =
      Decider.compile(RulesParser.parse(RULES, "r.yaml"), new io.tailstream.adapt.AdaptiveState(new ModelLearners(), boosts, () -> 1));

  /** Randomness 0.75 × 2^56: passes 50%, not 1%. */
  private static final byte[] MID = io.tailstream.testing.Spans.traceIdWithRandomness((long) (0.75 * (1L << 56)));

  private static TraceFacts facts(String service, String model) {
    return new TraceFacts(3, 100, 0, 1, true, false, model == null ? Map.of() : Map.of(model, 5L),
        Set.of(service), -1, -1);
  }

  private static Boost sample(String id, String service, String model, String rule, double rate) {
    return new Boost(id, service, model, rule, rate, 1, false, 10_000, "test", "me", false);
  }

  @Test
  void withoutBoostsTheBaselineDropsMid() {
    assertThat(decider.decide(facts("ranker", null), MID, 0).kept()).isFalse();
  }

  @Test
  void aServiceBoostRaisesTheBaselineInScopeOnly() {
    boosts.put(sample("inc-1", "ranker", null, "baseline", 0.5), 0);
    Decision inScope = decider.decide(facts("ranker", null), MID, 0);
    assertThat(inScope.kept()).isTrue();
    assertThat(inScope.rule()).isEqualTo("baseline");
    assertThat(inScope.threshold()).isEqualTo(Decider.thresholdFor(0.5));
    assertThat(decider.decide(facts("search", null), MID, 0).kept()).isFalse();
  }

  @Test
  void aModelBoostNeedsTheModel() {
    boosts.put(sample("inc-2", null, "ranker-v3", null, 0.5), 0);
    assertThat(decider.decide(facts("x", "ranker-v3"), MID, 0).kept()).isTrue();
    assertThat(decider.decide(facts("x", "embedder"), MID, 0).kept()).isFalse();
  }

  @Test
  void aBoostScopedToAnotherRuleDoesNotApply() {
    boosts.put(sample("inc-3", null, null, "other-rule", 1.0), 0);
    assertThat(decider.decide(facts("x", null), MID, 0).kept()).isFalse();
  }

  @Test
  void unscopedBoostsKeepWhatNoRuleKeptAndExpire() {
    Decider noBaseline = Decider.compile(RulesParser.parse(
        "rules:\n  - name: errors\n    keep: { error: true }\n", "r.yaml"), new io.tailstream.adapt.AdaptiveState(new ModelLearners(), boosts, () -> 1));
    boosts.put(new Boost("all-in", "ranker", null, null, 0, 1, true, 5_000, null, null, false), 0);
    Decision d = noBaseline.decide(facts("ranker", null), MID, 1_000);
    assertThat(d.kept()).isTrue();
    assertThat(d.rule()).isEqualTo("boost:all-in");
    assertThat(d.threshold()).isZero();
    assertThat(noBaseline.decide(facts("ranker", null), MID, 5_000).kept()).as("expired").isFalse();
  }

  @Test
  void factorMultipliesTheRate() {
    boosts.put(new Boost("x10", null, null, null, 0, 10, false, 10_000, null, null, false), 0);
    // 1% × 10 = 10%: MID (0.75) still fails, a trace with randomness 0.95 passes.
    assertThat(decider.decide(facts("x", null), MID, 0).kept()).isFalse();
    Decision d = decider.decide(facts("x", null), io.tailstream.testing.Spans.traceIdWithRandomness((long) (0.95 * (1L << 56))), 0);
    assertThat(d.kept()).isTrue();
    assertThat(d.threshold()).isEqualTo(Decider.thresholdFor(0.1));
  }
}
