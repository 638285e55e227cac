package io.tailstream.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits for a consumer group to commit the end of topics: how the benchmark (and the
 * integration tests) know a run is done.
 */
public final class Offsets {
  private Offsets() {}

  /**
   * Topic by topic, in order: each downstream topic against its end as it was once the topics
   * before it were read, since the by-trace topic never stops growing (split writes watermarks
   * to it every check interval).
   */
  static void awaitConsumed(String bootstrap, String group, List<String> topics)
      throws InterruptedException {
    awaitConsumed(bootstrap, group, topics, () -> {});
  }

  /** As above; {@code eachPoll} runs before every look and stops the wait by throwing. */
  public static void awaitConsumed(String bootstrap, String group, List<String> topics, Runnable eachPoll)
      throws InterruptedException {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      for (String topic : topics) {
        Map<TopicPartition, Long> target = null;
        while (target == null || !consumed(admin, group, target)) {
          eachPoll.run();
          if (target == null) {
            target = ends(admin, topic);
          }
          Thread.sleep(Duration.ofMillis(50).toMillis());
        }
      }
    }
  }

  private static Map<TopicPartition, Long> ends(Admin admin, String topic) throws InterruptedException {
    try {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      Map<TopicPartition, Long> out = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, end) -> out.put(tp, end.offset()));
      return out;
    } catch (ExecutionException notYet) {
      return null; // the by-trace topic is not created yet
    }
  }

  private static boolean consumed(Admin admin, String group, Map<TopicPartition, Long> ends)
      throws InterruptedException {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      List<TopicPartition> behind = new ArrayList<>();
      ends.forEach((tp, end) -> {
        OffsetAndMetadata c = committed.get(tp);
        if (end > 0 && (c == null || c.offset() < end)) {
          behind.add(tp);
        }
      });
      return behind.isEmpty() && !committed.isEmpty();
    } catch (ExecutionException notYet) {
      return false; // group not created yet
    }
  }
}
