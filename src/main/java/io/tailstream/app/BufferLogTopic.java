package io.tailstream.app;

import io.tailstream.config.TailstreamConfig;
import io.tailstream.config.TopicSettings;
import io.tailstream.topology.TailstreamTopology;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log a buffer is rebuilt from after a crash, a task move or a scale-out: the input topic
 * when it is keyed by trace id, else the by-trace topic tailstream owns. Buffered spans are not
 * copied into changelogs; they are read again from this log. So its retention is a correctness
 * condition, checked here at start: a log that deletes records before tailstream has decided
 * their traces loses those traces after a restart.
 *
 * <p>The by-trace topic is created when missing (with the input's partition count, the
 * configured retention and delete-only cleanup). An existing one, and a keyed input, must keep
 * records for at least {@link #minimumRetention}; a compacted log is refused, since compaction
 * keeps one fragment per trace id.
 */
final class BufferLogTopic {
  private static final Logger log = LoggerFactory.getLogger(BufferLogTopic.class);
  /** Fragments are input records split per trace: allow them as large as dead letters. */
  private static final int MAX_MESSAGE_BYTES = 16 << 20;

  private BufferLogTopic() {}

  /**
   * The least retention tailstream accepts for its log: four times {@code wait} (a re-read goes
   * back to the oldest undecided trace, at most about {@code wait} of input in steady state)
   * and ten minutes, for the session timeouts of a rebalance and a restart.
   */
  static Duration minimumRetention(TailstreamConfig config) {
    Duration fourWaits = config.decision().maxWait().multipliedBy(4);
    Duration tenMinutes = Duration.ofMinutes(10);
    return fourWaits.compareTo(tenMinutes) > 0 ? fourWaits : tenMinutes;
  }

  /** The log's topic name. */
  static String name(TailstreamConfig config) {
    return config.inputKeyedByTraceId() ? config.topics().input() : config.topics().byTrace();
  }

  /**
   * Creates the by-trace topic if needed, checks the log's retention and cleanup policy, and
   * returns the input and by-trace topics' partition counts (the input's twice with keyed
   * input, which has no by-trace topic). Throws {@link IllegalStateException} with what to
   * change when the log cannot be relied on.
   */
  static TailstreamTopology.Partitions prepare(Admin admin, TailstreamConfig config) throws InterruptedException {
    TopicSettings topics = config.topics();
    try {
      int inputPartitions = partitions(admin, topics.input());
      if (!config.inputKeyedByTraceId() && createByTraceIfMissing(admin, config, inputPartitions)) {
        // Created with a config that passes the check.
        return new TailstreamTopology.Partitions(inputPartitions, inputPartitions);
      }
      String logTopic = name(config);
      check(config, logTopic, configOf(admin, logTopic));
      return new TailstreamTopology.Partitions(inputPartitions,
          config.inputKeyedByTraceId() ? inputPartitions : partitions(admin, logTopic));
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException("cannot check " + name(config) + ", the log tailstream "
          + "rebuilds its buffer from: " + cause.getMessage(), cause);
    }
  }

  /** The check itself, on the log topic's config: refuses what would lose buffered traces. */
  static void check(TailstreamConfig config, String topic, Map<String, String> topicConfig) {
    String policy = topicConfig.getOrDefault(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
    if (policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
      throw new IllegalStateException("topic " + topic + " has cleanup.policy=" + policy + ": tailstream "
          + "re-reads buffered spans from it, and compaction keeps only the last record per trace id. "
          + "Use cleanup.policy=delete");
    }
    long retentionMs = Long.parseLong(topicConfig.getOrDefault(TopicConfig.RETENTION_MS_CONFIG, "604800000"));
    Duration minimum = minimumRetention(config);
    if (retentionMs >= 0 && retentionMs < minimum.toMillis()) {
      throw new IllegalStateException("topic " + topic + " keeps records for retention.ms=" + retentionMs
          + " but tailstream needs at least " + minimum.toMillis() + " ms (" + minimum + ", 4 x "
          + "decision.wait and at least 10 min) to rebuild its buffer from it after a restart. Raise "
          + topic + "'s retention.ms" + (config.inputKeyedByTraceId() ? "" : " or topics.by-trace-retention"));
    }
    long retentionBytes = Long.parseLong(topicConfig.getOrDefault(TopicConfig.RETENTION_BYTES_CONFIG, "-1"));
    if (retentionBytes >= 0) {
      log.warn("topic {} has retention.bytes={}: a burst may delete buffered spans before their "
          + "traces are decided, and a restart after it loses those traces (counted as "
          + "tailstream_reread_records_missing_total). Prefer retention.ms alone", topic, retentionBytes);
    }
    if (retentionMs >= 0 && retentionMs < config.topics().byTraceRetention().toMillis()) {
      log.info("topic {} keeps records for {} ms: an outage longer than that loses the traces "
          + "buffered when it began", topic, retentionMs);
    }
  }

  /** True when this call created it. */
  private static boolean createByTraceIfMissing(Admin admin, TailstreamConfig config, int partitions)
      throws InterruptedException, ExecutionException, TimeoutException {
    TopicSettings topics = config.topics();
    if (admin.listTopics().names().get(15, TimeUnit.SECONDS).contains(topics.byTrace())) {
      return false;
    }
    NewTopic topic = new NewTopic(topics.byTrace(), partitions, topics.replicationFactor())
        .configs(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
            TopicConfig.RETENTION_MS_CONFIG, Long.toString(topics.byTraceRetention().toMillis()),
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_MESSAGE_BYTES)));
    try {
      admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      log.info("created the by-trace topic {} ({} partitions, as the input; retention {})",
          topics.byTrace(), partitions, topics.byTraceRetention());
      return true;
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
      return true; // another instance created it at the same time, with the same config
    }
  }

  private static int partitions(Admin admin, String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    TopicDescription d = NewTopicMetadata.ask(() -> admin.describeTopics(List.of(topic)).allTopicNames()
        .get(15, TimeUnit.SECONDS)).get(topic);
    return d.partitions().size();
  }

  private static Map<String, String> configOf(Admin admin, String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Config c = NewTopicMetadata.ask(() -> admin.describeConfigs(List.of(resource)).all()
        .get(15, TimeUnit.SECONDS)).get(resource);
    Map<String, String> out = new java.util.HashMap<>();
    c.entries().forEach(e -> {
      if (e.value() != null) {
        out.put(e.name(), e.value());
      }
    });
    return out;
  }
}
