package io.tailstream.app;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * A Kafka Streams metrics map built by hand, shaped like the real one (group
 * {@code consumer-fetch-manager-metrics}, tags {@code client-id}, {@code topic},
 * {@code partition}), with noise around it.
 */
final class FakeFetchMetrics {
  static final String MAIN = "app-1b2c-StreamThread-1-consumer";
  static final String MAIN_2 = "app-1b2c-StreamThread-2-consumer";
  static final String RESTORE = "app-1b2c-StreamThread-1-restore-consumer";
  static final String GLOBAL = "app-1b2c-global-consumer";

  private final Map<MetricName, Metric> metrics = new LinkedHashMap<>();

  FakeFetchMetrics() {
    // What else is in the map: other groups with the same metric names must not count.
    put("records-lag", "consumer-metrics", Map.of("client-id", MAIN), 99);
    put("records-lag-max", FetchMetricsReader.GROUP, Map.of("client-id", MAIN), 99);
    put("process-rate", "stream-thread-metrics", Map.of("thread-id", "app-1b2c-StreamThread-1"), 3);
  }

  FakeFetchMetrics fetches(String client, double total) {
    return put("fetch-total", FetchMetricsReader.GROUP, Map.of("client-id", client), total);
  }

  FakeFetchMetrics lag(String client, String topicTag, int partition, double lag) {
    put("records-lag-avg", FetchMetricsReader.GROUP, tags(client, topicTag, partition), lag + 1000);
    return put("records-lag", FetchMetricsReader.GROUP, tags(client, topicTag, partition), lag);
  }

  FakeFetchMetrics raw(String name, Map<String, String> tags, Object value) {
    MetricName key = new MetricName(name, FetchMetricsReader.GROUP, "", tags);
    metrics.put(key, metric(key, value));
    return this;
  }

  Map<MetricName, Metric> map() {
    return Map.copyOf(metrics);
  }

  private FakeFetchMetrics put(String name, String group, Map<String, String> tags, double value) {
    MetricName key = new MetricName(name, group, "", tags);
    metrics.put(key, metric(key, value));
    return this;
  }

  private static Map<String, String> tags(String client, String topic, int partition) {
    Map<String, String> tags = new HashMap<>();
    tags.put("client-id", client);
    tags.put("topic", topic);
    tags.put("partition", Integer.toString(partition));
    return tags;
  }

  private static Metric metric(MetricName name, Object value) {
    return new Metric() {
      @Override
      public MetricName metricName() {
        return name;
      }

      @Override
      public Object metricValue() {
        return value;
      }
    };
  }
}
