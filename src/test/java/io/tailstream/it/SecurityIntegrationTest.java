package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.testing.Spans;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka security through {@code kafka.properties}: against a listener that requires SASL/PLAIN,
 * tailstream works with the right credentials and is refused — with a clear message, not a retry
 * loop — with wrong ones.
 */
class SecurityIntegrationTest {
  @TempDir
  Path dir;

  private Path config(Path where, String bootstrap, String password) throws Exception {
    String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\\\"tailstream\\\" password=\\\""
        + password + "\\\";";
    return KafkaTestSupport.writeConfig(Files.createDirectories(where), bootstrap, "it-sasl",
        "{ wait: 2s, after-root: 1s, idle: 1s, check-interval: 100ms }",
        "    security.protocol: SASL_PLAINTEXT\n    sasl.mechanism: PLAIN\n    sasl.jaas.config: \"" + jaas + "\"");
  }

  @Test
  void connectsWithCredentialsAndIsRefusedWithout() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of("tailstream", "s3cret-pass"))) {
      Path wrong = config(dir.resolve("wrong"), broker.saslBootstrapServers(), "guess");
      try (TailstreamApp app = TailstreamApp.create(ConfigLoader.load(wrong, Map.of()))) {
        assertThatThrownBy(app::start).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("refused tailstream").hasMessageContaining("kafka.properties")
            .hasMessageNotContaining("guess");
      }

      Path right = config(dir.resolve("right"), broker.saslBootstrapServers(), "s3cret-pass");
      try (TailstreamApp app = TailstreamApp.create(ConfigLoader.load(right, Map.of()))) {
        app.start();
        byte[] id = Spans.traceId(77);
        KafkaTestSupport.produce(broker.bootstrapServers(), "it-sasl-in", List.of(Spans.request(
            Spans.resource("svc", "s", Spans.error(Spans.span(id, 1, null, "GET /x", 0, 5)))).toByteArray()));
        assertThat(KafkaTestSupport.consume(broker.bootstrapServers(), "it-sasl-out", r -> !r.isEmpty(),
            Duration.ofMillis(200), Duration.ofSeconds(60))).hasSize(1);
      }
    }
  }
}
