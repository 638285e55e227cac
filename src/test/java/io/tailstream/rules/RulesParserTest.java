package io.tailstream.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.yaml.YamlException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RulesParserTest {
  private static final String EXAMPLE = """
      rules:
        - name: errors
          keep: { error: true }
        - name: slow
          keep: { latency: "> 2s" }
        - name: slow-model
          keep:
            model-inference:
              attribute: gen_ai.request.model
              thresholds: { ranker-v3: 800ms, default: 1500ms }
        - name: baseline
          sample: 1%
      """;

  @Test
  void parsesTheFourCoreRules() {
    RuleSet set = RulesParser.parse(EXAMPLE, "rules.yaml");
    assertThat(set.rules()).extracting(Rule::name)
        .containsExactly("errors", "slow", "slow-model", "baseline");
    assertThat(set.rules().get(0).condition()).isEqualTo(new Condition.Error(true));
    assertThat(set.rules().get(1).condition())
        .isEqualTo(new Condition.Latency(DurationRange.parse("> 2s")));
    assertThat(set.rules().get(2).condition()).isEqualTo(new Condition.ModelInference(
        "gen_ai.request.model", Map.of("ranker-v3", 800_000_000L), 1_500_000_000L, null));
    Rule baseline = set.rules().get(3);
    assertThat(baseline.condition()).isNull();
    assertThat(baseline.sampleRate()).isEqualTo(0.01);
    assertThat(baseline.line()).isEqualTo(11);
  }

  @Test
  void modelAttributeDefaultsToGenAiRequestModel() {
    RuleSet set = RulesParser.parse("rules:\n  - name: m\n    keep:\n      model-inference:\n"
        + "        thresholds: { default: 1s }\n", "r.yaml");
    assertThat(((Condition.ModelInference) set.rules().get(0).condition()).attribute())
        .isEqualTo("gen_ai.request.model");
  }

  @Test
  void keepWithSampleAndDropAndSeveralConditions() {
    RuleSet set = RulesParser.parse("""
        rules:
          - name: some-errors
            keep: { error: true, latency: "< 100ms" }
            sample: 10%
          - name: fast
            drop: { latency: "<= 5ms" }
        """, "r.yaml");
    Rule first = set.rules().get(0);
    assertThat(first.sampled()).isTrue();
    assertThat(first.sampleRate()).isEqualTo(0.1);
    assertThat(first.condition()).isInstanceOf(Condition.AllOf.class);
    assertThat(set.rules().get(1).action()).isEqualTo(Rule.Action.DROP);
  }

  @Test
  void errorsNameFileLineAndRule() {
    assertThatThrownBy(() -> RulesParser.parse(
        "rules:\n  - name: slow\n    keep: { latency: \"about 2s\" }\n", "rules.yaml"))
        .isInstanceOf(YamlException.class)
        .hasMessage("rules.yaml:3:22: rules[0](slow).keep.latency: bad value 'about 2s': expected a "
            + "comparison such as \"> 2s\", \">= 500ms\", \"< 1s\" or a range \"500ms..2s\"");
    assertThatThrownBy(() -> RulesParser.parse(
        "rules:\n  - name: x\n    keep: { eror: true }\n", "rules.yaml"))
        .hasMessageContaining("rules.yaml:3:13: rules[0](x).keep.eror: unknown key 'eror'")
        .hasMessageContaining("did you mean 'error'?");
    assertThatThrownBy(() -> RulesParser.parse("rules:\n  - keep: { error: true }\n", "rules.yaml"))
        .hasMessageContaining("rules.yaml:2").hasMessageContaining("needs a 'name'");
    assertThatThrownBy(() -> RulesParser.parse("rules:\n  - name: a\n    sample: 1%\n"
        + "  - name: a\n    sample: 2%\n", "rules.yaml"))
        .hasMessageContaining("rules.yaml:4").hasMessageContaining("'a' is used twice");
    assertThatThrownBy(() -> RulesParser.parse("rules:\n  - name: \"boost:mine\"\n    sample: 1%\n", "r.yaml"))
        .hasMessageContaining("r.yaml:2").hasMessageContaining("'boost:mine' starts with a prefix");
    assertThatThrownBy(() -> RulesParser.parse("rules:\n  - name: a\n    sample: 150%\n", "r.yaml"))
        .hasMessageContaining("r.yaml:3:13: rules[0](a).sample: bad value '150%'");
    assertThatThrownBy(() -> RulesParser.parse("rules:\n  - name: a\n", "r.yaml"))
        .hasMessageContaining("rule 'a' needs 'keep', 'drop' or 'sample'");
    assertThatThrownBy(() -> RulesParser.parse("rules:\n  - name: a\n    keep: { error: true }\n"
        + "    drop: { error: true }\n", "r.yaml"))
        .hasMessageContaining("both 'keep' and 'drop'");
    assertThatThrownBy(() -> RulesParser.parse("rules:\n  - name: m\n    keep:\n"
        + "      model-inference: { thresholds: { ranker: fast } }\n", "r.yaml"))
        .hasMessageContaining("rules[0](m).keep.model-inference.thresholds.ranker: bad value 'fast'");
    assertThatThrownBy(() -> RulesParser.parse("rules:\n  - name: e\n    keep: { error: maybe }\n", "r.yaml"))
        .hasMessageContaining("bad value 'maybe': expected true or false");
    assertThatThrownBy(() -> RulesParser.parse("policies: []\n", "r.yaml"))
        .hasMessageContaining("unknown key 'policies'");
  }

  @Test
  void recursiveAliasIsRefusedWithFileAndLineInsteadOfOverflowingTheStack() {
    assertThatThrownBy(() -> RulesParser.parse(
        "rules:\n  - name: r\n    keep: &k { not: *k }\n", "rules.yaml"))
        .isInstanceOf(YamlException.class)
        .hasMessageStartingWith("rules.yaml:3:21: not accepted: recursive alias *k");
  }

  @Test
  void deeplyNestedConditionsAreRefusedWithFileAndLine() {
    String nots = "{ not: ".repeat(5_000) + "{ error: true }" + " }".repeat(5_000);
    assertThatThrownBy(() -> RulesParser.parse("rules:\n  - name: r\n    keep: " + nots + "\n",
        "rules.yaml"))
        .isInstanceOf(YamlException.class)
        .hasMessageStartingWith("rules.yaml:3:").hasMessageContaining("nested more than");
  }

  @Test
  void aliasBombOfConditionsIsRefusedBeforeItIsWalked() {
    // Each level lists the one before three times: 3^6 copies of a 100,000-name list. Parsed, it
    // took 27 s and would have compiled 73 million names.
    StringBuilder rules = new StringBuilder("rules:\n  - name: r0\n    keep: { any-of: &l0 "
        + "[ { service: { in: [" + "x,".repeat(100_000) + "x] } } ] }\n");
    for (int i = 1; i <= 6; i++) {
      String previous = "{ any-of: *l" + (i - 1) + " }";
      rules.append("  - name: r").append(i).append("\n    keep: { any-of: &l").append(i)
          .append(" [ ").append(String.join(", ", previous, previous, previous)).append(" ] }\n");
    }
    assertThatThrownBy(() -> RulesParser.parse(rules.toString(), "rules.yaml"))
        .isInstanceOf(YamlException.class)
        .hasMessageStartingWith("rules.yaml:").hasMessageContaining("once aliases are expanded");
  }

  @Test
  void anchorsAndAliasesThatShareAListStillWork() {
    RuleSet set = RulesParser.parse("""
        rules:
          - name: shop-errors
            keep: { error: true, service: &shop [checkout, payments] }
          - name: shop-slow
            keep: { latency: "> 2s", service: *shop }
        """, "rules.yaml");
    assertThat(set.rules().get(1).condition()).isEqualTo(new Condition.AllOf(List.of(
        new Condition.Latency(DurationRange.parse("> 2s")),
        new Condition.Service(Set.of("checkout", "payments"), Condition.Scope.ANY_SPAN))));
  }

  @Test
  void durationRanges() {
    DurationRange above = DurationRange.parse("> 2s");
    assertThat(above.contains(2_000_000_000L)).isFalse();
    assertThat(above.contains(2_000_000_001L)).isTrue();
    DurationRange atLeast = DurationRange.parse(">= 500ms");
    assertThat(atLeast.contains(500_000_000L)).isTrue();
    assertThat(atLeast.contains(499_999_999L)).isFalse();
    DurationRange below = DurationRange.parse("< 1s");
    assertThat(below.contains(999_999_999L)).isTrue();
    assertThat(below.contains(1_000_000_000L)).isFalse();
    DurationRange range = DurationRange.parse("500ms..2s");
    assertThat(range.contains(500_000_000L)).isTrue();
    assertThat(range.contains(2_000_000_000L)).isTrue();
    assertThat(range.contains(2_000_000_001L)).isFalse();
    assertThat(range.toString()).isEqualTo("500ms..2s");
    assertThat(above.toString()).isEqualTo("> 2s");
    assertThatThrownBy(() -> DurationRange.parse("2s..1s")).hasMessageContaining("after its end");
  }
}
