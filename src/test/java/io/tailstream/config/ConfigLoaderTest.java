package io.tailstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.adapt.StageRule;
import io.tailstream.otlp.Encoding;
import io.tailstream.yaml.YamlException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static TailstreamConfig parse(String yaml) {
    return parse(yaml, Map.of());
  }

  private static TailstreamConfig parse(String yaml, Map<String, String> env) {
    return ConfigLoader.parse(yaml, "tailstream.yaml", Path.of("/etc/tailstream"), env);
  }

  @Test
  void theDeliverySlackIsReadFromTheDecisionSectionAndTheEnvironment() {
    assertThat(parse("kafka: { bootstrap-servers: b:9092 }\ndecision: { delivery-slack: 5s }\n")
        .decision().deliverySlack()).hasSeconds(5);
    assertThat(parse("kafka: { bootstrap-servers: b:9092 }\n", Map.of("TAILSTREAM_DECISION_DELIVERY_SLACK", "0s"))
        .decision().deliverySlack()).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
        parse("kafka: { bootstrap-servers: b:9092 }\ndecision: { delivery-slack: soon }\n"))
        .hasMessageContaining("delivery-slack").hasMessageContaining("soon");
  }

  @Test
  void onlyBootstrapServersIsRequiredEverythingElseHasDefaults() {
    TailstreamConfig c = parse("kafka:\n  bootstrap-servers: broker:9092\n");
    assertThat(c.kafka().bootstrapServers()).isEqualTo("broker:9092");
    assertThat(c.kafka().applicationId()).isEqualTo("tailstream");
    assertThat(c.topics()).isEqualTo(new TopicSettings("otlp_spans", "sampled_traces",
        "otlp_spans_dlq", "sampling_control", "sampling_rates", true, 12, (short) 1,
        "tailstream-by-trace", java.time.Duration.ofHours(1)));
    assertThat(c.adapt()).isEqualTo(AdaptSettings.defaults());
    assertThat(c.adminPort()).isEqualTo(8080);
    assertThat(c.adminBind()).isEqualTo("0.0.0.0");
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.inputKeyedByTraceId()).isFalse();
    assertThat(c.encoding()).isEqualTo(Encoding.OTLP_PROTO);
    assertThat(c.decision()).isEqualTo(new DecisionSettings(Duration.ofSeconds(30),
        Duration.ofSeconds(5), Duration.ofSeconds(10), 10_000, 8L << 20, Duration.ofMinutes(10),
        Duration.ofSeconds(1), Duration.ofSeconds(1), DecisionSettings.Stress.defaults()));
    assertThat(c.maxOutputRecordBytes()).isEqualTo(1L << 20);
    assertThat(c.rulesFile()).isEqualTo(Path.of("/etc/tailstream/rules.yaml"));
    assertThat(c.heapBufferBytes()).isEqualTo(64L << 20);
    assertThat(c.stages()).isEqualTo(StageSettings.defaults());
    assertThat(c.stages().enabled()).as("stage metrics cost CPU per span: opt-in").isFalse();
  }

  @Test
  void stageMappingIsAnOrderedListOfRulesWithCapsBeside() {
    TailstreamConfig c = parse("""
        kafka: { bootstrap-servers: b:1 }
        stages:
          max-services: 7
          max-series: 300
          mapping:
            - { stage: request, root: true }
            - { stage: retrieval, attribute: db.system, values: [qdrant, pinecone] }
            - { stage: inference, service: [vllm, triton], span-name: generate }
        """);
    assertThat(c.stages().maxServices()).isEqualTo(7);
    assertThat(c.stages().maxModels()).isEqualTo(50);
    assertThat(c.stages().maxSeries()).isEqualTo(300);
    assertThat(c.stages().mapping()).containsExactly(
        new StageRule("request", true, null, List.of(), List.of(), List.of()),
        new StageRule("retrieval", false, "db.system", List.of("qdrant", "pinecone"), List.of(), List.of()),
        new StageRule("inference", false, null, List.of(), List.of("vllm", "triton"), List.of("generate")));
    // The environment takes the same list in YAML flow form.
    assertThat(parse("kafka: { bootstrap-servers: b:1 }\n",
        Map.of("TAILSTREAM_STAGES_MAPPING", "[{stage: model, attribute: model.name}]")).stages().mapping())
        .containsExactly(new StageRule("model", false, "model.name", List.of(), List.of(), List.of()));
  }

  @Test
  void badStageRuleNamesItsLineAndWhatIsWrong() {
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\nstages:\n  mapping:\n"
        + "    - { stage: request, root: true }\n    - { stage: Inference, attribute: x }\n"))
        .isInstanceOf(YamlException.class).hasMessageContaining(":5:").hasMessageContaining("Inference")
        .hasMessageContaining("lower case");
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\nstages:\n  mapping:\n"
        + "    - { stage: inference }\n"))
        .hasMessageContaining(":4:").hasMessageContaining("matches every span");
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\nstages:\n  mapping:\n"
        + "    - { stage: inference, atribute: x }\n"))
        .hasMessageContaining("did you mean 'attribute'");
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\nstages:\n  mapping:\n"
        + "    - { stage: other, root: true }\n"))
        .hasMessageContaining("'other' is what no rule matched");
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\nstages: { mapping: inference }\n"))
        .hasMessageContaining("expected a list of rules");
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\n",
        Map.of("TAILSTREAM_STAGES_MAPPING", "[{stage: x}]")))
        .hasMessageContaining("TAILSTREAM_STAGES_MAPPING").hasMessageContaining("matches every span");
  }

  @Test
  void theHeapBufferCanBeSizedOrTurnedOffAndIsChecked() {
    assertThat(parse("kafka: { bootstrap-servers: b:1 }\nmemory: { heap-buffer: 256MiB }\n").heapBufferBytes())
        .isEqualTo(256L << 20);
    assertThat(parse("kafka: { bootstrap-servers: b:1 }\nmemory: { heap-buffer: 0 }\n").heapBufferBytes()).isZero();
    assertThat(parse("kafka: { bootstrap-servers: b:1 }\n", Map.of("TAILSTREAM_MEMORY_HEAP_BUFFER", "8MiB"))
        .heapBufferBytes()).isEqualTo(8L << 20);
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\nmemory: { heap-buffer: lots }\n"))
        .hasMessageContaining("memory.heap-buffer").hasMessageContaining("lots");
  }

  @Test
  void recursiveAliasAndDeepNestingInTheConfigAreRefusedWithFileAndLine() {
    assertThatThrownBy(() -> parse("kafka:\n  bootstrap-servers: a:1\n"
        + "  properties: &p { linger.ms: 5, more: *p }\n"))
        .isInstanceOf(YamlException.class)
        .hasMessageStartingWith("tailstream.yaml:3:40: not accepted: recursive alias *p");
    String deep = "[".repeat(100_000) + "]".repeat(100_000);
    assertThatThrownBy(() -> parse("kafka:\n  bootstrap-servers: a:1\n  properties: " + deep + "\n"))
        .isInstanceOf(YamlException.class)
        .hasMessageStartingWith("tailstream.yaml:3:").hasMessageContaining("nested more than");
  }

  @Test
  void readsEveryKey() {
    TailstreamConfig c = parse("""
        kafka:
          bootstrap-servers: a:1,b:2
          application-id: ts-prod
          properties: { security.protocol: SSL, state.dir: /var/lib/tailstream }
        topics: { input: in, output: out, dead-letter: dlq, control: ctl, rates: rts, create: false, partitions: 3, replication-factor: 3 }
        boosts: { max-factor: 10, max-ttl: 2h, max-concurrent: 5 }
        auto-boost: { enabled: false, interval: 5s, error-rate-factor: 4, error-rate-floor: 10%, latency-factor: 3, latency-floor: 1s, min-traces: 20, sample: 100%, ttl: 5m, cooldown: 1m }
        rates: { interval: 5s, stats-interval: 30s }
        admin: { port: -1, bind: 127.0.0.1 }
        shutdown-timeout: 45s
        input: { keyed-by-trace-id: true }
        encoding: otlp_json
        decision: { wait: 20s, after-root: 2s, idle: 4s, max-spans-per-trace: 500, max-bytes-per-trace: 1MiB, late-span-ttl: 2m, check-interval: 250ms }
        output: { max-record-bytes: 512KiB }
        rules: policies/rules.yaml
        """);
    assertThat(c.kafka().properties()).containsEntry("security.protocol", "SSL")
        .containsEntry("state.dir", "/var/lib/tailstream");
    assertThat(c.topics()).isEqualTo(new TopicSettings("in", "out", "dlq", "ctl", "rts", false, 3, (short) 3,
        c.kafka().applicationId() + "-by-trace", java.time.Duration.ofHours(1)));
    assertThat(c.adapt()).isEqualTo(new AdaptSettings(10, Duration.ofHours(2), 5, false,
        Duration.ofSeconds(5), 4, 0.1, 3, Duration.ofSeconds(1), 20, 1.0, Duration.ofMinutes(5),
        Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ofSeconds(30)));
    assertThat(c.adminPort()).isEqualTo(TailstreamConfig.ADMIN_DISABLED);
    assertThat(c.adminBind()).isEqualTo("127.0.0.1");
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(45));
    assertThat(c.inputKeyedByTraceId()).isTrue();
    assertThat(c.encoding()).isEqualTo(Encoding.OTLP_JSON);
    assertThat(c.decision().maxWait()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.decision().checkInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.decision().maxSpansPerTrace()).isEqualTo(500);
    assertThat(c.maxOutputRecordBytes()).isEqualTo(512 * 1024);
    assertThat(c.rulesFile()).isEqualTo(Path.of("/etc/tailstream/policies/rules.yaml"));
  }

  @Test
  void environmentOverridesKeysAndCanSupplyTheRequiredOne() {
    TailstreamConfig c = parse("decision:\n  wait: 30s\n", Map.of(
        "TAILSTREAM_KAFKA_BOOTSTRAP_SERVERS", "env-broker:9092",
        "TAILSTREAM_DECISION_WAIT", "12s",
        "TAILSTREAM_DECISION_AFTER_ROOT", "1s",
        "TAILSTREAM_INPUT_KEYED_BY_TRACE_ID", "true",
        "TAILSTREAM_KAFKA_GROUP_INSTANCE_ID", "tailstream-2"));
    assertThat(c.kafka().groupInstanceId()).isEqualTo("tailstream-2");
    assertThat(StreamsProperties.streams(c).getProperty("consumer.group.instance.id")).isEqualTo("tailstream-2");
    assertThat(c.kafka().bootstrapServers()).isEqualTo("env-broker:9092");
    assertThat(c.decision().maxWait()).isEqualTo(Duration.ofSeconds(12));
    assertThat(c.decision().afterRoot()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.inputKeyedByTraceId()).isTrue();
  }

  @Test
  void badValueNamesFileLineKeyValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> parse("kafka:\n  bootstrap-servers: b:1\ndecision:\n  wait: 30x\n"))
        .isInstanceOf(YamlException.class)
        .hasMessage("tailstream.yaml:4:9: decision.wait: bad value '30x': "
            + "expected a duration such as 250ms, 30s, 5m or 1h");
  }

  @Test
  void unknownKeyIsAnErrorWithASuggestion() {
    assertThatThrownBy(() -> parse("kafka:\n  bootstrap-servers: b:1\ndecision:\n  wiat: 30s\n"))
        .isInstanceOf(YamlException.class)
        .hasMessageStartingWith("tailstream.yaml:4:3: decision.wiat: unknown key 'wiat' under "
            + "'decision' (did you mean 'wait'?); allowed: after-root, check-interval, delivery-slack, idle,");
    assertThatThrownBy(() -> parse("kafka:\n  bootstrap-servers: b:1\nrule: x.yaml\n"))
        .hasMessageContaining("tailstream.yaml:3:1: rule: unknown key 'rule' at the top level");
  }

  @Test
  void kafkaPropertiesFromTheEnvironmentAddToTheFilesAndOverrideThemKeyByKey() {
    TailstreamConfig c = parse("kafka:\n  bootstrap-servers: b:1\n"
        + "  properties: { linger.ms: 1, acks: all }\n", Map.of("TAILSTREAM_KAFKA_PROPERTIES",
        "# from a Secret\nlinger.ms=5\nsecurity.protocol = SASL_SSL\n"
            + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"u\" password=\"p\";\n"));
    assertThat(c.kafka().properties()).isEqualTo(Map.of("linger.ms", "5", "acks", "all",
        "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
            + "username=\"u\" password=\"p\";",
        "security.protocol", "SASL_SSL"));
    assertThat(StreamsProperties.streams(c).getProperty("security.protocol")).isEqualTo("SASL_SSL");
  }

  @Test
  void kafkaPropertiesFromTheEnvironmentThatAreNotKeyValueLinesNameTheVariableNotTheSecret() {
    assertThatThrownBy(() -> parse("kafka:\n  bootstrap-servers: b:1\n",
        Map.of("TAILSTREAM_KAFKA_PROPERTIES", "ssl.key.password=hunter2\nssl.keystore.location\n")))
        .isInstanceOf(YamlException.class)
        .hasMessage("environment variable TAILSTREAM_KAFKA_PROPERTIES: property "
            + "'ssl.keystore.location' has no value; expected key=value, one per line");
    assertThatThrownBy(() -> parse("kafka:\n  bootstrap-servers: b:1\n",
        Map.of("TAILSTREAM_KAFKA_PROPERTIES", "num.stream.threads=many\n")))
        .hasMessageContaining("invalid Kafka setting (in kafka.properties or "
            + "TAILSTREAM_KAFKA_PROPERTIES)").hasMessageContaining("num.stream.threads");
  }

  @Test
  void badEnvironmentValueNamesTheVariable() {
    assertThatThrownBy(() -> parse("kafka:\n  bootstrap-servers: b:1\n",
        Map.of("TAILSTREAM_TOPICS_PARTITIONS", "many")))
        .hasMessage("environment variable TAILSTREAM_TOPICS_PARTITIONS: topics.partitions: "
            + "bad value 'many': expected an integer from 1 to 10000");
  }

  @Test
  void missingBootstrapServersSaysHowToGiveIt() {
    assertThatThrownBy(() -> parse("topics:\n  input: spans\n"))
        .hasMessageContaining("kafka.bootstrap-servers is required")
        .hasMessageContaining("TAILSTREAM_KAFKA_BOOTSTRAP_SERVERS");
  }

  @Test
  void decisionAttributesAreOffUnlessAScopeIsGiven() {
    assertThat(parse("kafka: { bootstrap-servers: b:1 }\n").decisionAttributes()).isEqualTo(AttributeScope.OFF);
    assertThat(parse("kafka: { bootstrap-servers: b:1 }\noutput: { decision-attributes: off }\n")
        .decisionAttributes()).as("YAML 1.1 would read off as false").isEqualTo(AttributeScope.OFF);
    assertThat(parse("kafka: { bootstrap-servers: b:1 }\noutput: { decision-attributes: ALL }\n")
        .decisionAttributes()).isEqualTo(AttributeScope.ALL);
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\noutput: { decision-attributes: spans }\n"))
        .hasMessageContaining("output.decision-attributes: bad value 'spans': expected off, root or all");
  }

  @Test
  void otherBadValues() {
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\nencoding: avro\n"))
        .hasMessage("tailstream.yaml:2:11: encoding: bad value 'avro': expected otlp_proto or otlp_json");
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\ntopics: { create: yes please }\n"))
        .hasMessageContaining("topics.create: bad value 'yes please': expected true or false");
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\ndecision: { idle: 0s }\n"))
        .hasMessageContaining("decision.idle: bad value '0s': expected a duration above zero");
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\noutput: { max-record-bytes: 10 }\n"))
        .hasMessageContaining("output.max-record-bytes: bad value '10': out of range");
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\ntopics: { input: 'no spaces' }\n"))
        .hasMessageContaining("topics.input: bad value 'no spaces': expected a Kafka topic name");
    assertThatThrownBy(() -> parse("kafka: [a, b]\n"))
        .hasMessageContaining("tailstream.yaml:1:8: kafka: expected a mapping");
    assertThatThrownBy(() -> parse("kafka:\n  bootstrap-servers: b:1\n  bootstrap-servers: c:1\n"))
        .hasMessageContaining("duplicate key 'bootstrap-servers'");
    assertThatThrownBy(() -> parse("kafka: { bootstrap-servers: b:1 }\ndecision: { late-span-ttl: 0s }\n"))
        .hasMessageContaining("decision.late-span-ttl: bad value '0s': expected at least 1s");
    assertThatThrownBy(() -> parse("kafka:\n  bootstrap-servers: b:1\n  properties:\n"
        + "    processing.guarantee: sometimes\n"))
        .hasMessageStartingWith("tailstream.yaml:4:5: kafka.properties: invalid Kafka setting: ")
        .hasMessageContaining("sometimes").hasMessageContaining("processing.guarantee");
    assertThatThrownBy(() -> parse("kafka: {\n"))
        .hasMessageContaining("tailstream.yaml:2:1: not valid YAML");
  }

  @Test
  void loadsAFileAndResolvesRulesNextToIt(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tailstream.yaml");
    Files.writeString(file, "kafka:\n  bootstrap-servers: b:1\nrules: my-rules.yaml\n");
    TailstreamConfig c = ConfigLoader.load(file, Map.of());
    assertThat(c.rulesFile()).isEqualTo(dir.resolve("my-rules.yaml").toAbsolutePath());
  }

  @Test
  void missingFileIsAClearError(@TempDir Path dir) {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of()))
        .isInstanceOf(YamlException.class)
        .hasMessageContaining("cannot read")
        .hasMessageContaining("nope.yaml");
  }

  @Test
  void streamsPropertiesDefaultToExactlyOnceAndLetUsersOverride() {
    TailstreamConfig c = parse("kafka:\n  bootstrap-servers: b:1\n  properties: { num.stream.threads: 4 }\n");
    var p = StreamsProperties.streams(c);
    assertThat(p.getProperty("processing.guarantee")).isEqualTo("exactly_once_v2");
    assertThat(p.getProperty("application.id")).isEqualTo("tailstream");
    assertThat(p.getProperty("num.stream.threads")).isEqualTo("4");
    TailstreamConfig alo = parse("kafka:\n  bootstrap-servers: b:1\n"
        + "  properties: { processing.guarantee: at_least_once }\n");
    assertThat(StreamsProperties.streams(alo).getProperty("processing.guarantee"))
        .isEqualTo("at_least_once");
  }
}
