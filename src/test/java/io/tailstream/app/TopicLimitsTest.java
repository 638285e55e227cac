package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicLimitsTest {
  private final TailstreamConfig config = ConfigLoader.parse("kafka: { bootstrap-servers: k:9092 }\n",
      "t.yaml", Path.of("."), Map.of());

  @Test
  void aTopicThatAcceptsMoreLeavesTheBoundAlone() {
    assertThat(TopicLimits.fit(config, Map.of("sampled_traces", 16L << 20))).isSameAs(config);
    assertThat(TopicLimits.fit(config, Map.of())).as("limit unknown").isSameAs(config);
  }

  @Test
  void theBrokersDefaultLimitKeepsRoomForBatchOverhead() {
    long brokerDefault = 1_048_588;
    TailstreamConfig fitted = TopicLimits.fit(config, Map.of("sampled_traces", brokerDefault));
    assertThat(fitted.maxOutputRecordBytes()).isEqualTo(TopicLimits.recordBound(brokerDefault))
        .isLessThan(brokerDefault - 1024).isGreaterThan(1_000_000);
  }

  @Test
  void aSmallTopicLowersTheBoundButNeverBelowTheFloor() {
    assertThat(TopicLimits.fit(config, Map.of("sampled_traces", 100_000L)).maxOutputRecordBytes())
        .isEqualTo(100_000 - 1024 - 1000);
    assertThat(TopicLimits.fit(config, Map.of("sampled_traces", 500L)).maxOutputRecordBytes())
        .isEqualTo(TopicLimits.MIN_RECORD_BYTES);
  }

  @Test
  void deadLettersAreCutToTheDeadLetterTopicsLimitAndNothingElseChanges() {
    TailstreamConfig fitted = TopicLimits.fit(config, Map.of("otlp_spans", 8L << 20, "otlp_spans_dlq", 1L << 20));
    assertThat(fitted.maxDeadLetterRecordBytes()).isEqualTo(TopicLimits.recordBound(1L << 20));
    assertThat(fitted.withMaxDeadLetterRecordBytes(config.maxDeadLetterRecordBytes())).isEqualTo(config);
  }
}
