package io.tailstream.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Waits for a consumer group to commit the end of topics: how the benchmark knows a run is done. */
final class Offsets {
  private Offsets() {}

  static void awaitConsumed(String bootstrap, String group, List<String> topics)
      throws InterruptedException {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      while (!consumed(admin, group, topics)) {
        Thread.sleep(Duration.ofMillis(50).toMillis());
      }
    }
  }

  private static boolean consumed(Admin admin, String group, List<String> topics)
      throws InterruptedException {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (String topic : topics) {
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
            .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get();
      List<TopicPartition> behind = new ArrayList<>();
      ends.forEach((tp, end) -> {
        OffsetAndMetadata c = committed.get(tp);
        if (end.offset() > 0 && (c == null || c.offset() < end.offset())) {
          behind.add(tp);
        }
      });
      return behind.isEmpty() && !committed.isEmpty();
    } catch (ExecutionException notYet) {
      return false; // group or repartition topic not created yet
    }
  }
}
