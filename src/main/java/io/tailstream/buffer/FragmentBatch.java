package io.tailstream.buffer;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;

/**
 * The fragments of one input record that belong to one buffer-and-decide partition. With
 * null-keyed input split writes one by-trace record per input record and partition rather than
 * one per trace: a collector's batch holds many traces, and the hop through the broker then
 * costs per batch (records produced, validated, fetched and dispatched) instead of per trace.
 */
public record FragmentBatch(int partition, List<Entry> entries) implements ByTraceRecord {
  /** One trace's fragment. */
  public record Entry(Bytes traceId, Fragment fragment) {
    public Entry {
      Objects.requireNonNull(traceId, "traceId");
      Objects.requireNonNull(fragment, "fragment");
    }
  }

  public FragmentBatch {
    if (partition < 0) {
      throw new IllegalArgumentException("partition must not be negative, got " + partition);
    }
    entries = List.copyOf(entries);
  }
}
