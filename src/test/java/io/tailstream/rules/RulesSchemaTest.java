package io.tailstream.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The published JSON Schema accepts every shipped rules file, which the parser accepts too. */
class RulesSchemaTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static JsonSchema schema;

  @BeforeAll
  static void loadSchema() throws Exception {
    try (InputStream in = RulesSchemaTest.class.getResourceAsStream("/io/tailstream/rules.schema.json")) {
      schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    }
  }

  static List<Path> exampleRulesFiles() throws Exception {
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      return files.filter(f -> f.getFileName().toString().startsWith("rules")).sorted().toList();
    }
  }

  @ParameterizedTest
  @MethodSource("exampleRulesFiles")
  void everyExampleIsValidForTheSchemaAndTheParser(Path file) throws Exception {
    Set<ValidationMessage> errors = schema.validate(YAML.readTree(file.toFile()));
    assertThat(errors).as(file.toString()).isEmpty();
    assertThat(RulesParser.load(file).warnings()).as(file.toString()).isEmpty();
  }

  /** One rule file per condition and rule form the parser accepts. */
  static List<String> everyForm() {
    List<String> conditions = List.of(
        "{ error: true }",
        "{ root: missing }",
        "{ all-of: [ { root: present }, { error: true } ] }",
        "{ status: ERROR }",
        "{ status: [OK, UNSET] }",
        "{ latency: \"> 2s\" }",
        "{ latency: \"500ms..2s\" }",
        "{ span-latency: { service: feature-store, name: lookup, kind: client, above: 250ms } }",
        "{ model-inference: { attribute: gen_ai.request.model, thresholds: { a: 800ms, default: 1s } } }",
        "{ model-inference: { attribute: m, thresholds: { default: 1s }, learned: { percentile: 99, window: 15m, min-samples: 200, factor: 1.2 } } }",
        "{ attribute: { key: tenant, equals: acme } }",
        "{ attribute: { key: tenant, in: [acme, globex], scope: root } }",
        "{ attribute: { key: route, prefix: /api, scope: all-spans } }",
        "{ attribute: { key: route, regex: \"^/v[0-9]+/\" } }",
        "{ attribute: { key: batch.size, number: \">= 256\" } }",
        "{ attribute: { key: cached, bool: false } }",
        "{ attribute: { key: user, exists: true } }",
        "{ resource-attribute: { key: deployment.environment, equals: prod } }",
        "{ span-count: { min: 2, max: 500 } }",
        "{ service: gateway }",
        "{ service: { in: [a, b], scope: root } }",
        "{ span-name: { equals: \"GET /healthz\", scope: root } }",
        "{ trace-state: { key: ot, prefix: \"th:\" } }",
        "{ ottl: [ 'attributes[\"http.status_code\"] >= 500' ] }",
        "{ ottl: { span: [ 'IsMatch(name, \"^GET\")' ], spanevent: [ 'name == \"exception\"' ] } }",
        "{ ottl: 'kind == SPAN_KIND_SERVER' }",
        "{ trace-flags: { sampled: true } }",
        "{ ottl: { spanevent: 'name == \"exception\"' } }",
        "{ all-of: [ { error: true }, { service: a } ] }",
        "{ any-of: [ { error: true }, { latency: \"> 1s\" } ] }",
        "{ not: { service: a } }",
        "{ error: true, service: a }");
    List<String> files = new java.util.ArrayList<>();
    for (String c : conditions) {
      files.add("rules: [ { name: r, keep: " + c + " } ]");
    }
    files.add("rules: [ { name: r, drop: { service: probe } } ]");
    files.add("rules: [ { name: r, sample: 1% } ]");
    files.add("rules: [ { name: r, sample: 0.5 } ]");
    files.add("rules: [ { name: r, keep: { error: true }, sample: 25%, rate-limit: \"20 traces/s\", bytes-limit: 1MiB/s } ]");
    files.add("rules: [ { name: r, keep: { service: gateway }, sample: { dynamic: { key: [http.route], goal: 1% } } } ]");
    files.add("rules: [ { name: r, sample: { throughput: { key: [service.name], goal: \"200 traces/s\", interval: 30s } } } ]");
    files.add("default: keep\nrules: []");
    return files;
  }

  @ParameterizedTest
  @MethodSource("everyForm")
  void everyFormTheParserAcceptsTheSchemaAcceptsToo(String rules) throws Exception {
    RulesParser.parse(rules, "form");
    assertThat(schema.validate(YAML.readTree(rules))).as(rules).isEmpty();
  }

  @Test
  void theSchemaRejectsMistakesTheParserRejects() throws Exception {
    for (String bad : List.of(
        "rules: [ { name: r, keep: { eror: true } } ]",
        "rules: [ { name: r, keep: { root: absent } } ]",
        "rules: [ { name: r, keep: { latency: soon } } ]",
        "rules: [ { name: r, keep: { attribute: { key: t } } } ]",
        "rules: [ { name: r, keep: { attribute: { key: t, equals: a, prefix: b } } } ]",
        "rules: [ { name: r, keep: { attribute: { key: t, equals: a, scope: everywhere } } } ]",
        "rules: [ { name: r, keep: { error: true }, drop: { error: true } } ]",
        "rules: [ { name: r, sample: 1%, rate-limit: lots } ]",
        "rules: [ { name: r, keep: { span-count: { least: 2 } } } ]",
        "rules: [ { name: r, keep: { not: [] } } ]",
        "rules: [ { name: r, keep: { ottl: [] } } ]",
        "rules: [ { name: r, keep: { ottl: { spans: [ 'true' ] } } } ]",
        "rules: [ { name: r, keep: { ottl: {} } } ]",
        "rules: [ { name: r, keep: { trace-flags: { sampled: maybe } } } ]",
        "rules: [ { name: r, keep: { trace-flags: {} } } ]",
        "rules: [ { name: r, keep: {} } ]",
        "rules: [ { name: r, keep: { error: true }, colour: red } ]",
        "rules: [ { keep: { error: true } } ]",
        "default: maybe\nrules: []")) {
      assertThat(schema.validate(YAML.readTree(bad))).as("schema: " + bad).isNotEmpty();
      assertThatThrownBy(() -> RulesParser.parse(bad, "bad")).as("parser: " + bad)
          .isInstanceOf(io.tailstream.yaml.YamlException.class);
    }
  }
}
