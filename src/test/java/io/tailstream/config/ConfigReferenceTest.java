package io.tailstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.tailstream.yaml.YamlException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference page, the config JSON Schema and the example are generated from
 * {@link ConfigKeys}: this test fails when a committed copy is stale (run it with
 * {@code -Dtailstream.regenerate=true} to write them), and checks that the loader, the schema
 * and the example agree with each other.
 */
class ConfigReferenceTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path BASE = Path.of(".");

  @Test
  void theGeneratedFilesAreUpToDate() throws Exception {
    List<String> stale = new ArrayList<>();
    for (Map.Entry<String, String> file : ConfigReference.files().entrySet()) {
      Path path = Path.of(file.getKey());
      String committed = Files.exists(path) ? Files.readString(path, StandardCharsets.UTF_8) : "";
      if (!committed.equals(file.getValue())) {
        if (Boolean.getBoolean("tailstream.regenerate")) {
          Files.createDirectories(path.toAbsolutePath().getParent());
          Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
        } else {
          stale.add(file.getKey());
        }
      }
    }
    assertThat(stale).as("stale generated files: run mvn -B -ntp test -Dtest=ConfigReferenceTest "
        + "-Dtailstream.regenerate=true").isEmpty();
  }

  @Test
  void theExampleLoadsToTheDefaultsButForTheKeysItShowsOn() {
    TailstreamConfig example = ConfigLoader.parse(ConfigReference.example(), "example", BASE, Map.of());
    Map<String, String> shown = new HashMap<>();
    ConfigReference.SHOWN_ON.forEach((key, value) -> shown.put(key.envName(), value));
    TailstreamConfig minimal = ConfigLoader.parse("kafka: { bootstrap-servers: localhost:9092 }", "minimal",
        BASE, Map.of());
    TailstreamConfig minimalWithShown = ConfigLoader.parse("kafka: { bootstrap-servers: localhost:9092 }",
        "minimal", BASE, shown);

    assertThat(example).isEqualTo(minimalWithShown).isNotEqualTo(minimal);
    assertThat(example.decisionAttributes()).isEqualTo(AttributeScope.ROOT);
    assertThat(minimal.decisionAttributes()).as("off by default").isEqualTo(AttributeScope.OFF);
  }

  @Test
  void everyKeyIsInThePageTheSchemaAndTheExample() {
    String page = ConfigReference.page();
    String schema = ConfigReference.schema();
    String example = ConfigReference.example();
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      assertThat(page).contains("| `" + key.path() + "` |").contains(key.envName());
      assertThat(schema).contains("\"" + key.name() + "\": {");
      assertThat(example).containsPattern("(?m)^\\s*#? ?" + java.util.regex.Pattern.quote(key.name()) + ":");
    }
  }

  @Test
  void everyKeysEnvironmentVariableSetsIt() {
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      assertThat(ConfigLoader.isConfigVariable(key.envName())).as(key.envName()).isTrue();
    }
    Map<String, String> env = new HashMap<>();
    env.put(ConfigKeys.WAIT.envName(), "7s");
    env.put(ConfigKeys.HEAP_BUFFER.envName(), "0");
    TailstreamConfig config = ConfigLoader.parse("kafka: { bootstrap-servers: k:9092 }", "env", BASE, env);

    assertThat(config.decision().maxWait()).hasSeconds(7);
    assertThat(config.heapBufferBytes()).isZero();
  }

  @Test
  void theSchemaAcceptsWhatTheLoaderAcceptsAndRefusesWhatItRefuses() throws Exception {
    JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
        .getSchema(ConfigReference.schema());
    List<String> good = List.of(
        ConfigReference.example(),
        "kafka: { bootstrap-servers: k:9092 }",
        "kafka: { bootstrap-servers: k:9092, properties: { num.stream.threads: 2, state.dir: /s } }\n"
            + "decision: { wait: 1.5s, max-bytes-per-trace: 2MiB }\nstress: { sample: 0.02 }",
        "kafka: { bootstrap-servers: k:9092 }\nmemory: { heap-buffer: 0 }\nadmin: { port: -1 }");
    for (String yaml : good) {
      assertThat(schema.validate(YAML.readTree(yaml))).as(yaml).isEmpty();
      ConfigLoader.parse(yaml, "good", BASE, Map.of());
    }
    List<String> bad = List.of(
        "kafka: { bootstrap-servers: k:9092 }\ndecision: { wiat: 5s }",
        "kafka: { bootstrap-servers: k:9092 }\ndecision: { wait: soon }",
        "kafka: { bootstrap-servers: k:9092 }\ntopics: { partitions: 0 }",
        "kafka: { bootstrap-servers: k:9092 }\ntopics: { input: 'no spaces' }",
        "kafka: { bootstrap-servers: k:9092 }\nencoding: otlp_xml",
        "kafka: { bootstrap-servers: k:9092 }\nadmin: { port: 70000 }",
        // A size written with a unit is checked for its range by the loader only: a pattern
        // cannot compare 1KiB with 16KiB. Written in bytes, the schema checks it too.
        "kafka: { bootstrap-servers: k:9092 }\noutput: { max-record-bytes: 1024 }",
        "kafka: { bootstrap-servers: k:9092 }\nstress: { sample: 2 }",
        "kafka: { bootstrap-servers: k:9092 }\nmemory: { heap-buffer: lots }",
        "kafka: { bootstrap-servers: k:9092 }\nauto-boost: { enabled: maybe }",
        "kafka: { bootstrap-servers: k:9092 }\nunknown: 1",
        "decision: { wait: 5s }");
    for (String yaml : bad) {
      assertThat(schema.validate(YAML.readTree(yaml))).as(yaml).isNotEmpty();
      assertThatThrownBy(() -> ConfigLoader.parse(yaml, "bad", BASE, Map.of())).as(yaml)
          .isInstanceOf(YamlException.class);
    }
  }
}
