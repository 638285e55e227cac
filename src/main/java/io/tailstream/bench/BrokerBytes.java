package io.tailstream.bench;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;

/**
 * Bytes the broker holds or took in, per topic: what a benchmark round wrote to Kafka is the
 * difference of two snapshots, one before the round and one right after it drained.
 *
 * <p>Two sources, because neither works everywhere:
 * <ul>
 *   <li>{@link #brokerMetrics()}, on the in-JVM broker: the count of Kafka's own
 *       {@code kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=X} meter, read over
 *       this JVM's platform MBean server (Kafka registers its Yammer meters there). It counts the
 *       record batches produced to the topic as they arrived, so it is monotonic: a repartition
 *       topic that Kafka Streams purges after each commit, or a changelog that the log cleaner
 *       compacts, still shows every byte the app wrote. It misses what the broker writes itself
 *       (transaction markers, a few dozen bytes per partition per commit).</li>
 *   <li>{@link #logDirs}, for any cluster: partition sizes from {@code Admin.describeLogDirs},
 *       summed over replicas. That is what is stored now, so a purged or compacted topic
 *       reports less than was written; the bench takes it right after a round drains.</li>
 * </ul>
 * Both report compressed batch bytes (the producer's compression), as the input topic's own
 * figure is, so their ratio is in the broker's unit.
 */
final class BrokerBytes {
  static final String BYTES_IN = "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec,topic=*";

  /** A way to take a snapshot: bytes per topic. */
  interface Source {
    Map<String, Long> snapshot();

    /** For the report: which figure the snapshots are. */
    String name();
  }

  /** What one round wrote: bytes per topic (those that grew), and the input topic's bytes. */
  record Written(Map<String, Long> byTopic, long inputBytes, String source) {
    Written {
      byTopic = Map.copyOf(byTopic);
    }

    long total() {
      return byTopic.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Broker bytes written per byte of input; NaN when the input's size is unknown. */
    double perInputByte() {
      return inputBytes <= 0 ? Double.NaN : (double) total() / inputBytes;
    }
  }

  private BrokerBytes() {}

  /**
   * The difference between two snapshots of one source: every topic that grew except the input
   * and the brokers' own ({@code __consumer_offsets}, {@code __transaction_state}: written per
   * commit, not per span), with {@code strip} (the bench's topic prefix) cut from the names.
   */
  static Written between(Map<String, Long> before, Map<String, Long> after, String input,
      String strip, String source) {
    Map<String, Long> grown = new TreeMap<>();
    after.forEach((topic, bytes) -> {
      long delta = bytes - before.getOrDefault(topic, 0L);
      if (delta > 0 && !topic.equals(input) && !topic.startsWith("__")) {
        grown.put(topic.startsWith(strip) ? topic.substring(strip.length()) : topic, delta);
      }
    });
    return new Written(grown, after.getOrDefault(input, 0L), source);
  }

  /** The broker's per-topic BytesInPerSec counts: only for a broker running in this JVM. */
  static Source brokerMetrics() {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    return new Source() {
      @Override
      public Map<String, Long> snapshot() {
        Map<String, Long> out = new HashMap<>();
        try {
          for (ObjectName name : server.queryNames(new ObjectName(BYTES_IN), null)) {
            out.put(name.getKeyProperty("topic"), ((Number) server.getAttribute(name, "Count")).longValue());
          }
        } catch (JMException e) {
          throw new IllegalStateException("cannot read " + BYTES_IN + ": " + e, e);
        }
        return out;
      }

      @Override
      public String name() {
        return "BytesInPerSec";
      }
    };
  }

  /** Partition sizes on the brokers' log directories, summed per topic. */
  static Source logDirs(Admin admin) {
    return new Source() {
      @Override
      public Map<String, Long> snapshot() {
        Map<String, Long> out = new HashMap<>();
        try {
          List<Integer> brokers = admin.describeCluster().nodes().get().stream()
              .map(n -> n.id()).toList();
          for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions()
              .get().values()) {
            for (LogDirDescription dir : dirs.values()) {
              dir.replicaInfos().forEach((tp, replica) ->
                  out.merge(tp.topic(), replica.size(), Long::sum));
            }
          }
        } catch (ExecutionException e) {
          throw new IllegalStateException("cannot describe the brokers' log dirs: " + e.getCause(), e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while describing log dirs", e);
        }
        return out;
      }

      @Override
      public String name() {
        return "describeLogDirs";
      }
    };
  }
}
