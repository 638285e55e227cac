package io.tailstream.topology;

import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.FragmentBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;

/**
 * Groups one input record's fragments by the by-trace partition of their trace into
 * {@link FragmentBatch}es, each small enough for one by-trace record: a batch is handed out
 * early once its serialized size may reach {@link #MAX_BATCH_BYTES} (by a bound computed from
 * sizes and counts, not by serializing). Not thread-safe (one per stream task).
 */
final class PartitionBatcher {
  /** Far below the by-trace topic's 16 MiB records, so a batch never needs splitting later. */
  static final long MAX_BATCH_BYTES = 1 << 20;

  private final int partitions;
  private final List<List<FragmentBatch.Entry>> pending;
  private final long[] pendingBytes;

  PartitionBatcher(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("the by-trace topic needs partitions, got " + partitions);
    }
    this.partitions = partitions;
    this.pending = new ArrayList<>(partitions);
    for (int i = 0; i < partitions; i++) {
      pending.add(new ArrayList<>());
    }
    this.pendingBytes = new long[partitions];
  }

  /** Adds a fragment; a batch that is full goes to {@code out} at once. */
  void add(Bytes traceId, Fragment fragment, Consumer<FragmentBatch> out) {
    int p = TailstreamTopology.ByTracePartitioner.partitionOf(traceId.get(), partitions);
    long size = InternalSerdes.batchEntryBytesBound(traceId, fragment);
    if (!pending.get(p).isEmpty() && pendingBytes[p] + size > MAX_BATCH_BYTES) {
      emit(p, out);
    }
    pending.get(p).add(new FragmentBatch.Entry(traceId, fragment));
    pendingBytes[p] += size;
  }

  /** Hands out every batch not handed out yet, by partition, and starts over empty. */
  void flush(Consumer<FragmentBatch> out) {
    for (int p = 0; p < partitions; p++) {
      if (!pending.get(p).isEmpty()) {
        emit(p, out);
      }
    }
  }

  private void emit(int p, Consumer<FragmentBatch> out) {
    FragmentBatch batch = new FragmentBatch(p, pending.get(p));
    pending.get(p).clear();
    pendingBytes[p] = 0;
    out.accept(batch);
  }
}
