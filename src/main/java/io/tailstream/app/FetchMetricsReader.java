package io.tailstream.app;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads, from the metrics of a Kafka Streams client, what {@link ConsumerLag} needs of each main
 * consumer: how many fetches it has completed ({@code fetch-total}) and the {@code records-lag} of
 * each partition it owns. Only the consumers and partitions named by the caller count, which
 * leaves out the restore and global consumers (they fetch changelogs, the control topic, and with
 * source-topic changelogs even the input topic itself) and a revoked partition whose sensor lives
 * on until its former consumer's next fetch.
 *
 * <p>Topics are matched by their exact name. Since KIP-1109 (Kafka 4.1) a dotted topic's
 * partitions have two series: one tagged with the name as it is, and a deprecated one with '.'
 * replaced by '_'. The alias can never be an owned topic (the controller refuses to create a
 * topic whose name collides with another's after that replacement), so it falls out here.
 */
final class FetchMetricsReader {
  private static final Logger log = LoggerFactory.getLogger(FetchMetricsReader.class);

  static final String GROUP = "consumer-fetch-manager-metrics";
  static final String RECORDS_LAG = "records-lag";
  static final String FETCH_TOTAL = "fetch-total";

  private FetchMetricsReader() {}

  /** One main consumer's counters at one refresh; {@code lags} holds only owned partitions. */
  record Reading(double fetches, Map<TopicPartition, Long> lags) {
    Reading {
      lags = Map.copyOf(lags);
    }
  }

  /**
   * @param owned the main consumers' client ids, each with the input partitions of its thread's
   *     active tasks
   * @return a reading per owned consumer that has a {@code fetch-total}; partitions without a
   *     usable {@code records-lag} are absent
   */
  static Map<String, Reading> read(Map<MetricName, ? extends Metric> metrics,
      Map<String, Set<TopicPartition>> owned) {
    Map<String, Double> fetches = new HashMap<>();
    Map<String, Map<TopicPartition, Long>> lags = new HashMap<>();
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      MetricName name = e.getKey();
      if (!GROUP.equals(name.group())) {
        continue;
      }
      String client = name.tags().get("client-id");
      Set<TopicPartition> partitions = owned.get(client);
      if (partitions == null) {
        continue;
      }
      if (FETCH_TOTAL.equals(name.name()) && !name.tags().containsKey("topic")) {
        double total = number(e.getValue());
        if (Double.isFinite(total)) {
          fetches.put(client, total);
        }
      } else if (RECORDS_LAG.equals(name.name())) {
        TopicPartition tp = partition(name);
        if (tp != null && partitions.contains(tp)) {
          double lag = number(e.getValue());
          // Not finite or negative: not a lag we can act on; the partition stays unknown.
          if (Double.isFinite(lag) && lag >= 0) {
            lags.computeIfAbsent(client, c -> new HashMap<>()).put(tp, (long) lag);
          }
        }
      }
    }
    Map<String, Reading> readings = new HashMap<>();
    fetches.forEach((client, total) ->
        readings.put(client, new Reading(total, lags.getOrDefault(client, Map.of()))));
    return readings;
  }

  private static TopicPartition partition(MetricName name) {
    String topic = name.tags().get("topic");
    String partition = name.tags().get("partition");
    if (topic == null || partition == null) {
      return null;
    }
    try {
      return new TopicPartition(topic, Integer.parseInt(partition));
    } catch (NumberFormatException e) {
      log.debug("ignoring {} with partition tag '{}': not a number", name.name(), partition);
      return null;
    }
  }

  private static double number(Metric metric) {
    return metric.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
  }
}
