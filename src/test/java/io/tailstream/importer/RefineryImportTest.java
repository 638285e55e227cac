package io.tailstream.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.decide.Decider;
import io.tailstream.rules.Rule;
import io.tailstream.rules.RuleSet;
import io.tailstream.rules.RulesParser;
import io.tailstream.yaml.YamlException;
import io.tailstream.yaml.YamlNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RefineryImportTest {
  private static Map<String, Imported> translate(String fixture, boolean bestEffort) {
    return RefineryImport.translate(YamlNode.parse(CollectorEquivalenceTest.fixture(fixture), fixture), bestEffort);
  }

  private static RuleSet rules(Imported imported) {
    RuleSet rules = RulesParser.parse(RulesWriter.write(imported), "rules.yaml");
    Decider.compile(rules);
    return rules;
  }

  @Test
  void everyTargetOfTheDocumentedExampleBecomesValidRules() {
    Map<String, Imported> all = translate("refinery-complete.yaml", false);
    assertThat(all).containsOnlyKeys("__default__", "env1", "env2", "env3", "env4");
    all.values().forEach(RefineryImportTest::rules);
    assertThat(rules(all.get("env3")).rules().get(0).sampleRate()).isEqualTo(0.1);
    Rule.Dynamic ema = rules(all.get("env2")).rules().get(0).dynamic();
    assertThat(ema.goal()).isEqualTo(0.5);
    assertThat(ema.key()).containsExactly("request.method", "http.target");
    assertThat(ema.interval()).hasSeconds(15);
    assertThat(rules(all.get("env1")).rules().get(0).dynamic().interval()).hasMinutes(1);
  }

  @Test
  void rulesBasedSamplerRulesDecideEvenWhenTheyDoNotSelect() {
    RuleSet env4 = rules(translate("refinery-complete.yaml", false).get("env4"));
    assertThat(env4.defaultKeep()).isTrue();
    assertThat(env4.rules()).extracting(Rule::name).containsExactly("drop healthchecks",
        "drop everything from specific services", "keep slow 500 errors",
        "dynamically sample 200 responses", "dynamically sample 200 responses (not selected)",
        "sample traces originating from the users service",
        "sample traces originating from the users service (not selected)",
        "drop incomplete traces from the buggy service", "drop single-span traces",
        "keep checkout by route", "default rule", "default rule (not selected)");
    // A catch-all sampled rule decides every trace in Refinery: those it does not select are dropped.
    assertThat(env4.rules().get(11).action()).isEqualTo(Rule.Action.DROP);
    assertThat(env4.rules().get(5).sampleRate()).isEqualTo(0.2);
    assertThat(env4.rules().get(6).action()).isEqualTo(Rule.Action.DROP);
    String text = RulesWriter.write(translate("refinery-complete.yaml", false).get("env4"));
    assertThat(text).contains("{ span-latency: { above: 999.999999ms } }")
        .contains("{ attribute: { key: \"service.name\", equals: \"users\", scope: root } }")
        .contains("{ root: missing }").contains("{ span-count: { min: 1, max: 1 } }")
        .contains("prefix: \"/checkout\", scope: root").contains("regex: \"(?s).*(?:/(pay|refund)\\\\w+).*\"")
        .contains("regex: \"(?s).*corp.*\"")
        .contains("drop: { all-of: [ { root: present }, { span-count: { min: 1, max: 1 } } ] }");
  }

  @Test
  void negativeOperatorsOnAnySpanAreErrorsNamingTheRule() {
    String yaml = "RulesVersion: 2\nSamplers:\n  __default__:\n    RulesBasedSampler:\n      Rules:\n"
        + "        - Name: not health\n          Conditions:\n            - Field: http.route\n"
        + "              Operator: '!='\n              Value: /health\n";
    assertThatThrownBy(() -> RefineryImport.translate(YamlNode.parse(yaml, "r.yaml"), false))
        .isInstanceOf(YamlException.class).hasMessageStartingWith("r.yaml:8:")
        .hasMessageContaining("rule 'not health' cannot be translated").hasMessageContaining("any single span");
  }

  @Test
  void throughputSamplersAreUntranslatableAndBestEffortCommentsThemOut() {
    assertThatThrownBy(() -> translate("refinery-throughput.yaml", false))
        .hasMessageContaining("EMAThroughputSampler").hasMessageContaining("spans (events) per second");
    Imported imported = translate("refinery-throughput.yaml", true).get("__default__");
    assertThat(imported.warnings()).hasSize(1);
    assertThat(RulesWriter.write(imported)).contains("# NOT TRANSLATED:");
    assertThat(rules(imported).rules()).isEmpty();
  }
}
