package io.tailstream.app;

import io.tailstream.config.TailstreamConfig;
import io.tailstream.config.TopicSettings;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fits what tailstream writes to what its topics accept, at start. Under exactly-once a record the
 * broker refuses as too large fails the whole transaction: the instance stops, and would stop
 * again on the same kept trace after every restart. So kept traces are split under the output
 * topic's {@code max.message.bytes} (less a margin for batch overhead and compression), whatever
 * {@code output.max-record-bytes} says; a dead-letter topic smaller than the input's is reported.
 */
final class TopicLimits {
  private static final Logger log = LoggerFactory.getLogger(TopicLimits.class);
  /** Smallest bound tailstream splits to: below it a single span would not fit anyway. */
  static final long MIN_RECORD_BYTES = 2 * 1024;

  private TopicLimits() {}

  /** The config with {@code maxOutputRecordBytes} lowered to fit the output topic, if needed. */
  static TailstreamConfig fit(Admin admin, TailstreamConfig config) throws InterruptedException {
    TopicSettings topics = config.topics();
    Map<String, Long> limits;
    try {
      limits = maxMessageBytes(admin, List.of(topics.input(), topics.output(), topics.deadLetter()));
    } catch (ExecutionException | TimeoutException e) {
      log.warn("cannot read max.message.bytes of {} ({}); kept traces are split at "
          + "output.max-record-bytes = {} bytes: make sure the topic accepts that", topics.output(),
          e.getCause() == null ? e.toString() : e.getCause().getMessage(), config.maxOutputRecordBytes());
      return config;
    }
    return fit(config, limits);
  }

  /** The decision, given each topic's max.message.bytes (topics without a known limit absent). */
  static TailstreamConfig fit(TailstreamConfig config, Map<String, Long> limits) {
    TopicSettings topics = config.topics();
    Long input = limits.get(topics.input());
    Long deadLetter = limits.get(topics.deadLetter());
    if (deadLetter != null) {
      config = config.withMaxDeadLetterRecordBytes(recordBound(deadLetter));
      if (input != null && deadLetter < input) {
        log.warn("topic {} accepts records up to {} bytes but the input {} up to {}: dead letters "
            + "larger than {} bytes are cut to that size (the reason stays whole). Raise {}'s "
            + "max.message.bytes to keep them whole", topics.deadLetter(), deadLetter, topics.input(),
            input, config.maxDeadLetterRecordBytes(), topics.deadLetter());
      }
    }
    Long output = limits.get(topics.output());
    if (output == null) {
      return config;
    }
    long bound = recordBound(output);
    if (bound >= config.maxOutputRecordBytes()) {
      return config;
    }
    if (output >= config.maxOutputRecordBytes()) {
      // Only the safety margin applies (the defaults: 1 MiB records, a 1 MiB + 12 bytes topic).
      log.info("kept traces are split into records of at most {} bytes, leaving room for batch "
          + "overhead under {}'s max.message.bytes ({})", bound, topics.output(), output);
    } else {
      log.warn("topic {} accepts records up to {} bytes (max.message.bytes), output.max-record-bytes is"
          + " {}: kept traces are split into records of at most {} bytes", topics.output(), output,
          config.maxOutputRecordBytes(), bound);
    }
    return config.withMaxOutputRecordBytes(bound);
  }

  /**
   * The largest record that surely fits a topic limit: the broker checks whole (compressed)
   * batches, so leave room for batch and record overhead, headers and LZ4's worst-case growth.
   */
  static long recordBound(long maxMessageBytes) {
    return Math.max(MIN_RECORD_BYTES, maxMessageBytes - 1024 - maxMessageBytes / 100);
  }

  private static Map<String, Long> maxMessageBytes(Admin admin, List<String> names)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<ConfigResource> resources = names.stream().distinct()
        .map(n -> new ConfigResource(ConfigResource.Type.TOPIC, n)).toList();
    Map<ConfigResource, Config> configs = NewTopicMetadata.ask(() -> admin.describeConfigs(resources).all()
        .get(15, TimeUnit.SECONDS));
    Map<String, Long> out = new java.util.HashMap<>();
    configs.forEach((resource, config) -> {
      ConfigEntry e = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
      OptionalLong value = e == null || e.value() == null ? OptionalLong.empty()
          : OptionalLong.of(Long.parseLong(e.value()));
      value.ifPresent(v -> out.put(resource.name(), v));
    });
    return out;
  }
}
