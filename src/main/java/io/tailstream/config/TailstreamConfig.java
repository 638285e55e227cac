package io.tailstream.config;

import io.tailstream.otlp.Encoding;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The whole configuration of one tailstream instance, validated. Built by {@link ConfigLoader}
 * from the YAML file and {@code TAILSTREAM_*} environment variables.
 */
public record TailstreamConfig(KafkaSettings kafka, TopicSettings topics, boolean inputKeyedByTraceId,
    Encoding encoding, DecisionSettings decision, long maxOutputRecordBytes, Path rulesFile,
    AdaptSettings adapt, int adminPort, String adminBind, java.time.Duration shutdownTimeout,
    long rocksDbCacheBytes, long rocksDbWriteBufferBytes, long heapBufferBytes, long maxDeadLetterRecordBytes,
    AttributeScope decisionAttributes, StageSettings stages) {
  /** {@code admin.port} value that turns the admin HTTP server off. */
  public static final int ADMIN_DISABLED = -1;
  /**
   * Dead letters are cut to this size until the dead-letter topic's own limit is read at start:
   * what a topic with the broker's default {@code max.message.bytes} (1 MiB) surely takes.
   */
  public static final long DEFAULT_DEAD_LETTER_RECORD_BYTES = 1_000_000;

  public TailstreamConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(encoding, "encoding");
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(rulesFile, "rulesFile");
    Objects.requireNonNull(adapt, "adapt");
    Objects.requireNonNull(decisionAttributes, "decisionAttributes");
    Objects.requireNonNull(stages, "stages");
  }

  /** This config with another bound on output records (fitted to the output topic's limit). */
  public TailstreamConfig withMaxOutputRecordBytes(long bytes) {
    return new TailstreamConfig(kafka, topics, inputKeyedByTraceId, encoding, decision, bytes, rulesFile,
        adapt, adminPort, adminBind, shutdownTimeout, rocksDbCacheBytes, rocksDbWriteBufferBytes,
        heapBufferBytes, maxDeadLetterRecordBytes, decisionAttributes, stages);
  }

  /** This config with decision attributes written on {@code scope} (for tests and tools). */
  public TailstreamConfig withDecisionAttributes(AttributeScope scope) {
    return new TailstreamConfig(kafka, topics, inputKeyedByTraceId, encoding, decision,
        maxOutputRecordBytes, rulesFile, adapt, adminPort, adminBind, shutdownTimeout,
        rocksDbCacheBytes, rocksDbWriteBufferBytes, heapBufferBytes, maxDeadLetterRecordBytes, scope, stages);
  }

  /** This config with another bound on dead letters (fitted to the dead-letter topic's limit). */
  public TailstreamConfig withMaxDeadLetterRecordBytes(long bytes) {
    return new TailstreamConfig(kafka, topics, inputKeyedByTraceId, encoding, decision,
        maxOutputRecordBytes, rulesFile, adapt, adminPort, adminBind, shutdownTimeout,
        rocksDbCacheBytes, rocksDbWriteBufferBytes, heapBufferBytes, bytes, decisionAttributes, stages);
  }
}
