package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log buffers are rebuilt from is checked at start on a real broker: the by-trace topic is
 * created with the input's partition count and the configured retention, and a keyed input that
 * keeps records for a minute is refused with the topic, its retention and the minimum.
 */
class BufferLogTopicIntegrationTest {
  @TempDir
  Path dir;

  @Test
  void theByTraceTopicIsCreatedAndAShortLivedKeyedInputIsRefused() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      broker.createTopics(5, "it-log-in");
      Path config = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve("a")),
          broker.bootstrapServers(), "it-log", "{ wait: 2s }", "");
      try (TailstreamApp app = TailstreamApp.create(ConfigLoader.load(config, Map.of()))) {
        app.start();
      }
      assertThat(admin.describeTopics(List.of("it-log-by-trace")).allTopicNames().get()
          .get("it-log-by-trace").partitions()).hasSize(5);
      ConfigResource byTrace = new ConfigResource(ConfigResource.Type.TOPIC, "it-log-by-trace");
      Config c = admin.describeConfigs(List.of(byTrace)).all().get().get(byTrace);
      assertThat(c.get("retention.ms").value()).isEqualTo(Long.toString(3_600_000));
      assertThat(c.get("cleanup.policy").value()).isEqualTo("delete");

      admin.createTopics(List.of(new NewTopic("it-short-in", 3, (short) 1)
          .configs(Map.of("retention.ms", "60000")))).all().get();
      Path keyed = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve("b")),
          broker.bootstrapServers(), "it-short", "{ wait: 2s }", "input: { keyed-by-trace-id: true }");
      try (TailstreamApp app = TailstreamApp.create(ConfigLoader.load(keyed, Map.of()))) {
        assertThatThrownBy(app::start).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("it-short-in").hasMessageContaining("retention.ms=60000")
            .hasMessageContaining("600000 ms");
      }
    }
  }
}
