package io.tailstream.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.yaml.YamlException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The full rules grammar: what each key parses to, and the message for each kind of mistake. */
class RulesGrammarTest {
  private static Condition keep(String condition) {
    return RulesParser.parse("rules:\n  - name: r\n    keep: " + condition + "\n", "r.yaml")
        .rules().get(0).condition();
  }

  private static void rejects(String rules, String message) {
    assertThatThrownBy(() -> RulesParser.parse(rules, "r.yaml"))
        .isInstanceOf(YamlException.class).hasMessageContaining(message);
  }

  @Test
  void parsesEachConditionType() {
    assertThat(keep("{ status: [ERROR, UNSET] }"))
        .isEqualTo(new Condition.Status(Set.of("ERROR", "UNSET"), Condition.Scope.ANY_SPAN));
    assertThat(keep("{ span-latency: { name: inference, service: model-server, kind: server, above: 300ms } }"))
        .isEqualTo(new Condition.SpanLatency("inference", "model-server", "SERVER", 300_000_000L));
    assertThat(keep("{ attribute: { key: tenant, in: [vip, gold], scope: root } }")).isEqualTo(
        new Condition.Attribute(false, "tenant", new ValueMatch.In(Set.of("vip", "gold")), Condition.Scope.ROOT));
    assertThat(keep("{ resource-attribute: { key: k8s.namespace.name, prefix: ml- } }")).isEqualTo(
        new Condition.Attribute(true, "k8s.namespace.name", new ValueMatch.Prefix("ml-"), Condition.Scope.ANY_SPAN));
    assertThat(keep("{ span-count: { min: 100 } }")).isEqualTo(new Condition.SpanCount(100, Integer.MAX_VALUE));
    assertThat(keep("{ service: ranker }")).isEqualTo(new Condition.Service(Set.of("ranker"), Condition.Scope.ANY_SPAN));
    assertThat(keep("{ span-name: { equals: GET /healthz, scope: root } }"))
        .isEqualTo(new Condition.SpanName(Set.of("GET /healthz"), Condition.Scope.ROOT));
    assertThat(keep("{ trace-state: { key: acme, exists: true } }"))
        .isEqualTo(new Condition.TraceState("acme", new ValueMatch.Exists(true)));
    assertThat(keep("{ not: { any-of: [ { error: true }, { latency: \"> 1s\" } ] } }")).isEqualTo(
        new Condition.Not(new Condition.AnyOf(java.util.List.of(new Condition.Error(true),
            new Condition.Latency(DurationRange.parse("> 1s"))))));
    Condition.ModelInference m = (Condition.ModelInference) keep(
        "{ model-inference: { thresholds: { default: 2s }, learned: { percentile: 99.9, window: 30m, min-samples: 50, factor: 1.5 } } }");
    assertThat(m.learned()).isEqualTo(new Condition.Learned(99.9, Duration.ofMinutes(30), 50, 1.5));
    assertThat(((Condition.ModelInference) keep("{ model-inference: { learned: {} } }")).learned())
        .isEqualTo(new Condition.Learned(99, Duration.ofMinutes(15), 200, 1.0));
  }

  @Test
  void limitsAndDefault() {
    RuleSet set = RulesParser.parse("""
        default: keep
        rules:
          - name: noisy
            keep: { service: chatty }
            rate-limit: "50 traces/s"
            bytes-limit: 2MiB/s
          - name: spans
            sample: 100%
            rate-limit: 5000 spans/s
        """, "r.yaml");
    assertThat(set.defaultKeep()).isTrue();
    assertThat(set.rules().get(0).rateLimit()).isEqualTo(new Rule.RateLimit(50, false));
    assertThat(set.rules().get(0).bytesPerSecond()).isEqualTo(2 * 1024 * 1024);
    assertThat(set.rules().get(1).rateLimit()).isEqualTo(new Rule.RateLimit(5000, true));
    assertThat(set.rules().get(1).catchAll()).isFalse();
  }

  @Test
  void dynamicSampleForms() {
    RuleSet set = RulesParser.parse("""
        rules:
          - name: dyn
            sample: { dynamic: { key: [service.name, http.route], goal: 1% } }
          - name: steady
            keep: { service: chatty }
            sample: { throughput: { key: [service.name], goal: "200 traces/s", interval: 15s } }
        """, "r.yaml");
    assertThat(set.rules().get(0).dynamic()).isEqualTo(new Rule.Dynamic(false,
        java.util.List.of("service.name", "http.route"), 0.01, Duration.ofSeconds(30)));
    assertThat(set.rules().get(0).sampled()).isTrue();
    assertThat(set.rules().get(0).catchAll()).isFalse();
    assertThat(set.rules().get(1).dynamic()).isEqualTo(new Rule.Dynamic(true,
        java.util.List.of("service.name"), 200, Duration.ofSeconds(15)));
    rejects("rules:\n  - name: d\n    sample: { dynamic: { goal: 1% } }\n", "missing 'key'");
    rejects("rules:\n  - name: d\n    sample: { throughput: { key: [a], goal: 5% } }\n",
        "expected a throughput such as \"200 traces/s\"");
    rejects("rules:\n  - name: d\n    sample: { adaptive: { key: [a] } }\n", "unknown key 'adaptive'");
  }

  @Test
  void mistakesAreNamedWithLineAndColumn() {
    rejects("rules:\n  - name: r\n    keep: { attribute: { key: t, regex: \"(unclosed\" } }\n",
        "r.yaml:3:41: rules[0](r).keep.attribute.regex: bad regex '(unclosed'");
    rejects("rules:\n  - name: r\n    keep: { attribute: { key: t, regex: \"" + "a".repeat(2000) + "\" } }\n",
        "regex of 2000 characters; at most 1024");
    rejects("rules:\n  - name: r\n    keep: { attribute: { key: t } }\n",
        "expected exactly one of equals, in, prefix, regex, number, bool, exists; found none");
    rejects("rules:\n  - name: r\n    keep: { attribute: { key: t, equals: a, prefix: b } }\n",
        "found equals, prefix");
    rejects("rules:\n  - name: r\n    keep: { attribute: { key: t, equals: a, scope: some } }\n",
        "bad value 'some': expected any-span, root or all-spans");
    rejects("rules:\n  - name: r\n    keep: { status: [FAILED] }\n",
        "bad status 'FAILED': expected UNSET, OK or ERROR");
    rejects("rules:\n  - name: r\n    keep: { span-latency: { name: x } }\n", "missing 'above'");
    rejects("rules:\n  - name: r\n    keep: { span-latency: { kind: sideways, above: 1s } }\n",
        "bad value 'sideways': expected one of");
    rejects("rules:\n  - name: r\n    sample: 10%\n    rate-limit: lots\n",
        "r.yaml:4:17: rules[0](r).rate-limit: bad value 'lots': expected a rate such as \"100 traces/s\"");
    rejects("rules:\n  - name: r\n    sample: 10%\n    bytes-limit: 1MiB\n", "expected bytes per second");
    rejects("rules:\n  - name: r\n    drop: { error: true }\n    rate-limit: 1 traces/s\n",
        "apply to keep rules, not to 'drop'");
    rejects("rules:\n  - name: r\n    keep: { all-of: [] }\n", "expected a non-empty list of conditions");
    rejects("rules:\n  - name: r\n    keep: { span-count: { min: 5, max: 2 } }\n", "min (5) is above max (2)");
    rejects("rules:\n  - name: r\n    keep: { model-inference: { learned: { percentile: 100 } } }\n",
        "expected a percentile above 0 and below 100");
    rejects("rules:\n  - name: r\n    keep: { model-inference: { learned: { window: 10s } } }\n",
        "expected a window from 1m to 24h");
    rejects("default: maybe\nrules: []\n", "r.yaml:1:10: default: bad value 'maybe': expected keep or drop");
    rejects("rules:\n  - name: r\n    keep: { attribute: { key: n, number: lots } }\n",
        "expected a number or a comparison");
    rejects("rules:\n  - name: r\n    keep: { trace-state: { key: k, number: \"> 1\" } }\n",
        "tracestate values are strings");
  }

  @Test
  void warnsAboutRulesThatCanNeverFire() {
    RuleSet set = RulesParser.parse("""
        rules:
          - name: everything
            sample: 100%
          - name: errors
            keep: { error: true }
          - name: off
            sample: 0%
        """, "r.yaml");
    assertThat(set.warnings()).containsExactly(
        "r.yaml:4:5: rule 'errors' can never fire: rule 'everything' (line 2) decides every trace before it",
        "r.yaml:6:5: rule 'off' can never fire: rule 'everything' (line 2) decides every trace before it");
    assertThat(RulesParser.parse("rules:\n  - name: off\n    sample: 0%\n", "r.yaml").warnings())
        .containsExactly("r.yaml:2:5: rule 'off' can never fire: its sample rate is 0%");
    assertThat(RulesParser.parse("rules:\n  - name: capped\n    sample: 100%\n    rate-limit: 1 traces/s\n"
        + "  - name: after\n    sample: 1%\n", "r.yaml").warnings()).isEmpty();
  }

  @Test
  void versionIsAStableHashOfTheText() {
    String text = "rules:\n  - name: a\n    sample: 1%\n";
    assertThat(RulesParser.parse(text, "a.yaml").version())
        .isEqualTo(RulesParser.parse(text, "b.yaml").version()).hasSize(8);
    assertThat(RulesParser.parse(text + "\n", "a.yaml").version())
        .isNotEqualTo(RulesParser.parse(text, "a.yaml").version());
  }

  @Test
  void conditionsHaveReadableDescriptions() {
    assertThat(Conditions.describe(keep(
        "{ all-of: [ { span-latency: { name: inference, above: 300ms } }, { attribute: { key: tenant, in: [vip], scope: root } } ] }")))
        .isEqualTo("all-of(span-latency(name=inference) > 300ms, root tenant in [vip])");
  }
}
