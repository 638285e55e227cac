package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BufferLogTopicTest {
  private static TailstreamConfig config(String extra) {
    return ConfigLoader.parse("kafka: { bootstrap-servers: b:9092, application-id: app }\n"
        + "decision: { wait: 5m }\n" + extra, "t.yaml", Path.of("."), Map.of());
  }

  @Test
  void theLogIsTheByTraceTopicUnlessTheInputIsKeyed() {
    assertThat(BufferLogTopic.name(config(""))).isEqualTo("app-by-trace");
    assertThat(BufferLogTopic.name(config("input: { keyed-by-trace-id: true }\n"))).isEqualTo("otlp_spans");
  }

  @Test
  void theMinimumRetentionIsFourWaitsAndAtLeastTenMinutes() {
    assertThat(BufferLogTopic.minimumRetention(config(""))).isEqualTo(Duration.ofMinutes(20));
    assertThat(BufferLogTopic.minimumRetention(ConfigLoader.parse("kafka: { bootstrap-servers: b:9092 }\n",
        "t.yaml", Path.of("."), Map.of()))).isEqualTo(Duration.ofMinutes(10));
  }

  @Test
  void aLogThatKeepsRecordsTooBrieflyIsRefusedWithTheTopicItsRetentionAndTheMinimum() {
    assertThatThrownBy(() -> BufferLogTopic.check(config(""), "app-by-trace", Map.of("retention.ms", "600000")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("app-by-trace")
        .hasMessageContaining("retention.ms=600000")
        .hasMessageContaining("1200000 ms")
        .hasMessageContaining("topics.by-trace-retention");
  }

  @Test
  void aCompactedLogIsRefused() {
    assertThatThrownBy(() -> BufferLogTopic.check(config("input: { keyed-by-trace-id: true }\n"), "otlp_spans",
        Map.of("cleanup.policy", "compact,delete", "retention.ms", "-1")))
        .hasMessageContaining("cleanup.policy=compact,delete").hasMessageContaining("otlp_spans");
  }

  @Test
  void unlimitedAndLongRetentionsPass() {
    assertThatCode(() -> BufferLogTopic.check(config(""), "t", Map.of("retention.ms", "-1"))).doesNotThrowAnyException();
    assertThatCode(() -> BufferLogTopic.check(config(""), "t", Map.of())).doesNotThrowAnyException();
    assertThatCode(() -> BufferLogTopic.check(config(""), "t", Map.of("retention.ms", "1200000")))
        .doesNotThrowAnyException();
  }
}
