package io.tailstream.rules;

import static org.assertj.core.api.Assertions.assertThat;

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

  @Test
  void theSchemaRejectsMistakesTheParserRejects() throws Exception {
    for (String bad : List.of(
        "rules: [ { name: r, keep: { eror: true } } ]",
        "rules: [ { name: r, keep: { latency: soon } } ]",
        "rules: [ { name: r, keep: { attribute: { key: t } } } ]",
        "rules: [ { name: r, keep: { error: true }, drop: { error: true } } ]",
        "rules: [ { name: r, sample: 1%, rate-limit: lots } ]",
        "rules: [ { keep: { error: true } } ]",
        "default: maybe\nrules: []")) {
      JsonNode node = YAML.readTree(bad);
      assertThat(schema.validate(node)).as(bad).isNotEmpty();
    }
  }
}
