package io.tailstream.deploy;

import static io.tailstream.deploy.Manifests.at;
import static io.tailstream.deploy.Manifests.listAt;
import static io.tailstream.deploy.Manifests.mapAt;
import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.topology.Headers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector configs in deploy/otel-collector write where tailstream reads and read where it
 * writes, in its encoding, with the keying that `input.keyed-by-trace-id` promises; and every
 * component a pipeline names is defined.
 */
class CollectorConfigsTest {
  private static final Path DIR = Path.of("deploy/otel-collector");

  @TempDir
  Path tmp;

  @Test
  void upstreamWritesTheInputTopicKeyedAsTheDeployedConfigSays() throws IOException {
    Map<String, Object> upstream = Manifests.one(DIR.resolve("upstream.yaml"));
    TailstreamConfig deployed = deployedConfig();
    Map<String, Object> kafka = mapAt(upstream, "exporters.kafka");
    assertThat(at(kafka, "traces.topic")).isEqualTo(deployed.topics().input());
    assertThat(at(kafka, "traces.encoding")).isEqualTo(deployed.encoding().toString());
    assertThat(at(kafka, "partition_traces_by_id")).isEqualTo(deployed.inputKeyedByTraceId());
    assertThat(listAt(upstream, "service.pipelines.traces.exporters")).containsExactly("kafka");
    assertThat(listAt(upstream, "service.pipelines.traces.processors"))
        .as("tailstream decides; no sampling upstream").noneMatch(p -> ((String) p).contains("sampl"));
    assertPipelinesDefined(upstream);
  }

  @Test
  void downstreamReadsTheOutputTopicInTheSameEncoding() throws IOException {
    Map<String, Object> downstream = Manifests.one(DIR.resolve("downstream.yaml"));
    TailstreamConfig deployed = deployedConfig();
    assertThat(listAt(downstream, "receivers.kafka.traces.topics")).containsExactly(deployed.topics().output());
    assertThat(at(downstream, "receivers.kafka.message_marking.after"))
        .as("offsets marked after export: a storage outage must not lose kept traces").isEqualTo(true);
    assertThat(at(downstream, "receivers.kafka.traces.encoding"))
        .isEqualTo(deployed.encoding().toString());
    assertThat(listAt(downstream, "service.pipelines.traces.receivers")).containsExactly("kafka");
    assertPipelinesDefined(downstream);
  }

  @Test
  void downstreamExtractsEveryHeaderTailstreamPutsOnKeptTraces() throws IOException {
    Map<String, Object> downstream = Manifests.one(DIR.resolve("downstream.yaml"));
    // Option names of the contrib Kafka receiver (receiver/kafkareceiver/README.md, "header_extraction").
    assertThat(at(downstream, "receivers.kafka.header_extraction.extract_headers")).isEqualTo(true);
    assertThat(listAt(downstream, "receivers.kafka.header_extraction.headers"))
        .containsExactlyElementsOf(Headers.ON_KEPT_TRACES);
  }

  @Test
  void tailstreamDefaultsMatchTheCollectorsDefaults() throws IOException {
    Files.writeString(tmp.resolve("rules.yaml"), "rules: []\n");
    TailstreamConfig defaults = ConfigLoader.parse("kafka: { bootstrap-servers: k:9092 }\n", "defaults",
        tmp, Map.of());
    // The kafka exporter's and receiver's default topic for traces is otlp_spans.
    assertThat(defaults.topics().input()).isEqualTo("otlp_spans");
    assertThat(defaults.encoding().toString()).isEqualTo("otlp_proto");
  }

  private TailstreamConfig deployedConfig() throws IOException {
    Map<String, Object> configMap = Manifests.one(Path.of("deploy/k8s/configmap.yaml"));
    Map<String, Object> data = mapAt(configMap, "data");
    Files.writeString(tmp.resolve("rules.yaml"), (String) data.get("rules.yaml"));
    return ConfigLoader.parse((String) data.get("tailstream.yaml"), "configmap.yaml", tmp, Map.of());
  }

  private static void assertPipelinesDefined(Map<String, Object> collector) {
    for (Object pipeline : mapAt(collector, "service.pipelines").values()) {
      for (String kind : List.of("receivers", "processors", "exporters")) {
        Object named = Manifests.map(pipeline).get(kind);
        if (named == null) {
          continue;
        }
        for (Object component : (List<?>) named) {
          assertThat(mapAt(collector, kind)).as(kind + " used by a pipeline").containsKey((String) component);
        }
      }
    }
  }
}
