package io.tailstream.app;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;

/** What {@link ConsumerLag} reads of a live Kafka Streams client: its metrics and thread metadata. */
record StreamsLagSource(KafkaStreams streams) implements ConsumerLag.Source {
  @Override
  public boolean running() {
    KafkaStreams.State state = streams.state();
    return state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING;
  }

  @Override
  public Map<MetricName, ? extends Metric> metrics() {
    return streams.metrics();
  }

  @Override
  public Map<String, Map<TopicPartition, TaskProgress>> mainConsumers() {
    Map<String, Map<TopicPartition, TaskProgress>> owned = new HashMap<>();
    for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
      Map<TopicPartition, TaskProgress> progress =
          owned.computeIfAbsent(thread.consumerClientId(), c -> new HashMap<>());
      for (TaskMetadata task : thread.activeTasks()) {
        // Live views of the stream thread's maps; their keys are fixed when the task is made.
        for (TopicPartition tp : task.topicPartitions()) {
          long committed = offset(task.committedOffsets().get(tp));
          long polled = offset(task.endOffsets().get(tp));
          progress.put(tp, new TaskProgress(committed, polled));
        }
      }
    }
    return owned;
  }

  private static long offset(Long value) {
    return value == null ? TaskProgress.NONE : value;
  }
}
