package io.tailstream.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.config.ConfigLoader;
import io.tailstream.rules.Rule;
import io.tailstream.rules.RuleSet;
import io.tailstream.rules.RulesParser;
import io.tailstream.yaml.YamlException;
import io.tailstream.yaml.YamlNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorImportTest {
  private static Imported translate(String fixture, boolean bestEffort) {
    return CollectorImport.translate(YamlNode.parse(CollectorEquivalenceTest.fixture(fixture), fixture),
        null, bestEffort);
  }

  private static Rule rule(RuleSet rules, String name) {
    return rules.rules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void theReadmesExampleBecomesRulesThatValidateWithACommentPerPolicy() {
    String text = RulesWriter.write(translate("collector-readme.yaml", false));
    RuleSet rules = RulesParser.parse(text, "rules.yaml");
    assertThat(rules.rules().get(0).name()).isEqualTo("drop-policy-1");
    assertThat(rules.rules().get(0).action()).isEqualTo(Rule.Action.DROP);
    assertThat(text).contains("# from policy 'test-policy-2' (latency, collector-readme.yaml:")
        .contains("latency: \"5001ms..10000.999999ms\"")
        .contains("regex: \"(?s).*(?:(?:value1)|(?:val*)).*\"");
    assertThat(rule(rules, "test-policy-4").sampleRate()).isEqualTo(0.10);
    assertThat(rule(rules, "test-policy-8").rateLimit()).isEqualTo(new Rule.RateLimit(35, true));
    assertThat(rule(rules, "test-policy-13").bytesPerSecond()).isEqualTo(1_048_576);
    // composite: min(allocation, total) spans/s per sub-policy; the unallocated third gets none.
    assertThat(rule(rules, "composite-policy-1/test-composite-policy-1").rateLimit().perSecond()).isEqualTo(500);
    assertThat(rule(rules, "composite-policy-1/test-composite-policy-2").rateLimit().perSecond()).isEqualTo(250);
    assertThat(rules.rules()).noneMatch(r -> r.name().endsWith("test-composite-policy-3"));
    assertThat(rules.defaultKeep()).isFalse();
  }

  @Test
  void limitedRulesComeAfterTheDeterministicOnes() {
    RuleSet rules = RulesParser.parse(RulesWriter.write(translate("collector-readme.yaml", false)), "r.yaml");
    int firstLimited = rules.rules().indexOf(rule(rules, "test-policy-8"));
    assertThat(rules.rules().subList(firstLimited, rules.rules().size())).allMatch(Rule::limited);
  }

  @Test
  void decisionSettingsUseTheNearestKeysAndTheConfigValidates(@TempDir Path dir) throws Exception {
    Imported imported = translate("collector-readme.yaml", false);
    String config = ConfigWriter.write(imported.settings(), "rules.yaml", "collector-readme.yaml");
    assertThat(config).contains("  wait: 10s", "  after-root: 2s", "  idle: 10s",
        "  max-bytes-per-trace: 4MiB",
        // 100_000 trace ids at 10 new traces/s last 10,000 s.
        "  late-span-ttl: 10000s", "# stress:", "num_traces: 100 has no counterpart");
    Files.writeString(dir.resolve("rules.yaml"), RulesWriter.write(imported));
    Files.writeString(dir.resolve("tailstream.yaml"), config);
    assertThat(ConfigLoader.load(dir.resolve("tailstream.yaml")).decision().maxWait()).hasSeconds(10);
  }

  @Test
  void anUntranslatablePolicyIsAnErrorNamingTheFileLinePolicyAndWhy() {
    assertThatThrownBy(() -> translate("collector-untranslatable.yaml", false))
        .isInstanceOf(YamlException.class)
        .hasMessageStartingWith("collector-untranslatable.yaml:7:")
        .hasMessageContaining("policy 'not-sampled' (type not) cannot be translated")
        .hasMessageContaining("tailstream can only negate conditions");
  }

  @Test
  void bestEffortWritesACommentedOutRuleAndAWarning() {
    Imported imported = translate("collector-untranslatable.yaml", true);
    String text = RulesWriter.write(imported);
    assertThat(imported.warnings()).singleElement().asString().startsWith("collector-untranslatable.yaml:7:");
    assertThat(text).contains("  # NOT TRANSLATED: 'not' of a probabilistic, limiting or drop policy")
        .contains("  # - name: \"not-sampled\"");
    assertThat(RulesParser.parse(text, "r.yaml").rules()).extracting(Rule::name)
        .containsExactly("errors", "head-sampled");
  }

  @Test
  void anOttlConditionOutsideTheSubsetIsUntranslatableAtItsOwnLine() {
    String yaml = """
        processors:
          tail_sampling:
            policies:
              - name: concat
                type: ottl_condition
                ottl_condition:
                  span:
                    - 'Concat([name, "x"], "") == "ax"'
        """;
    assertThatThrownBy(() -> CollectorImport.translate(YamlNode.parse(yaml, "c.yaml"), "tail_sampling", false))
        .isInstanceOf(YamlException.class).hasMessageStartingWith("c.yaml:8:")
        .hasMessageContaining("outside tailstream's subset").hasMessageContaining("converter Concat is not supported");
  }

  @Test
  void aFlagThatIsNotABooleanIsAnErrorNamingTheKey() {
    String yaml = """
        processors:
          tail_sampling:
            policies:
              - { name: r, type: string_attribute, string_attribute: { key: k, values: [a], invert_match: maybe } }
        """;
    assertThatThrownBy(() -> CollectorImport.translate(YamlNode.parse(yaml, "c.yaml"), "tail_sampling", false))
        .isInstanceOf(YamlException.class).hasMessageContaining("bad value 'maybe' for invert_match");
  }

  @Test
  void ottlConditionsUseTheOttlForm() {
    String text = RulesWriter.write(translate("collector-ottl.yaml", false));
    assertThat(text).contains("keep: { ottl: { span: [\"attributes[\\\"test_attr_key_1\\\"] == "
        + "\\\"test_attr_val_1\\\"\"], spanevent: [\"name == \\\"exception\\\"\"] } }");
  }

  @Test
  void onlyInvertedPoliciesKeepByDefault() {
    Imported imported = translate("collector-inverted.yaml", false);
    assertThat(imported.defaultKeep()).isTrue();
    assertThat(imported.rules()).allMatch(r -> r.action() == Rule.Action.DROP);
  }

  @Test
  void severalProcessorsNeedOneChosen() {
    String two = "processors:\n  tail_sampling/a: { policies: [] }\n  tail_sampling/b: { policies: [] }\n";
    assertThatThrownBy(() -> CollectorImport.translate(YamlNode.parse(two, "c.yaml"), null, false))
        .hasMessageContaining("several tail_sampling processors (tail_sampling/a, tail_sampling/b)");
    assertThat(CollectorImport.translate(YamlNode.parse(two, "c.yaml"), "tail_sampling/b", false).rules()).isEmpty();
  }

  @Test
  void firstMatchWithInvertedPoliciesIsRefused() {
    String cfg = "processors:\n  tail_sampling:\n    sample_on_first_match: true\n    policies:\n"
        + "      - { name: a, type: string_attribute, string_attribute: { key: k, values: [v], invert_match: true } }\n";
    assertThatThrownBy(() -> CollectorImport.translate(YamlNode.parse(cfg, "c.yaml"), null, false))
        .hasMessageStartingWith("c.yaml:3:").hasMessageContaining("sample_on_first_match");
  }
}
