package io.tailstream.app;

import io.tailstream.buffer.InputLag;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The lags of one refresh, immutable and laid out so that a read allocates nothing: topic → lag
 * by partition number, {@link InputLag#UNKNOWN} in the gaps. Stream threads read it once per
 * record; the refresher replaces it whole.
 */
final class LagTable {
  static final LagTable EMPTY = new LagTable(Map.of(), 0, 0);

  private final Map<String, long[]> byTopic;
  private final int known;
  private final int caughtUp;

  private LagTable(Map<String, long[]> byTopic, int known, int caughtUp) {
    this.byTopic = byTopic;
    this.known = known;
    this.caughtUp = caughtUp;
  }

  static LagTable of(Map<TopicPartition, Long> lags) {
    if (lags.isEmpty()) {
      return EMPTY;
    }
    Map<String, Integer> sizes = new HashMap<>();
    lags.keySet().forEach(tp -> sizes.merge(tp.topic(), tp.partition() + 1, Math::max));
    Map<String, long[]> byTopic = new HashMap<>();
    sizes.forEach((topic, size) -> {
      long[] row = new long[size];
      Arrays.fill(row, InputLag.UNKNOWN);
      byTopic.put(topic, row);
    });
    int caughtUp = 0;
    for (Map.Entry<TopicPartition, Long> e : lags.entrySet()) {
      byTopic.get(e.getKey().topic())[e.getKey().partition()] = e.getValue();
      if (e.getValue() == 0) {
        caughtUp++;
      }
    }
    return new LagTable(Map.copyOf(byTopic), lags.size(), caughtUp);
  }

  long lag(String topic, int partition) {
    long[] row = topic == null ? null : byTopic.get(topic);
    return row == null || partition < 0 || partition >= row.length ? InputLag.UNKNOWN : row[partition];
  }

  /** Partitions with a lag known. */
  int known() {
    return known;
  }

  /** Partitions known to be read to their end. */
  int caughtUp() {
    return caughtUp;
  }

  @Override
  public String toString() {
    return known + " partitions known, " + caughtUp + " caught up";
  }
}
