package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.FragmentBatch;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class PartitionBatcherTest {
  private final List<FragmentBatch> out = new ArrayList<>();

  @Test
  void eachTraceGoesToThePartitionItsIdHashesToInOneBatchPerPartition() {
    PartitionBatcher batcher = new PartitionBatcher(4);
    List<Bytes> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Bytes id = id(i);
      ids.add(id);
      batcher.add(id, fragment(10), out::add);
    }
    assertThat(out).as("nothing is handed out before the flush while batches are small").isEmpty();
    batcher.flush(out::add);
    assertThat(out).extracting(FragmentBatch::partition).doesNotHaveDuplicates().hasSizeLessThanOrEqualTo(4);
    List<Bytes> seen = new ArrayList<>();
    for (FragmentBatch b : out) {
      for (FragmentBatch.Entry e : b.entries()) {
        assertThat(b.partition()).isEqualTo(TailstreamTopology.ByTracePartitioner.partitionOf(e.traceId().get(), 4));
        seen.add(e.traceId());
      }
    }
    assertThat(seen).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void aBatchIsCutBeforeItCouldOutgrowTheLimitAndTheFlushStartsOver() {
    PartitionBatcher batcher = new PartitionBatcher(1);
    int spans = 300_000; // about a third of the limit per fragment
    for (int i = 0; i < 7; i++) {
      batcher.add(id(i), fragment(spans), out::add);
    }
    batcher.flush(out::add);
    assertThat(out).extracting(b -> b.entries().size()).containsExactly(3, 3, 1);
    for (FragmentBatch b : out) {
      long bound = b.entries().stream()
          .mapToLong(e -> InternalSerdes.batchEntryBytesBound(e.traceId(), e.fragment())).sum();
      assertThat(bound).isLessThanOrEqualTo(PartitionBatcher.MAX_BATCH_BYTES);
    }
    out.clear();
    batcher.flush(out::add);
    assertThat(out).as("a flush leaves nothing behind").isEmpty();
  }

  @Test
  void aFragmentLargerThanTheLimitGoesAlone() {
    PartitionBatcher batcher = new PartitionBatcher(1);
    batcher.add(id(1), fragment(10), out::add);
    batcher.add(id(2), fragment((int) PartitionBatcher.MAX_BATCH_BYTES * 2), out::add);
    batcher.add(id(3), fragment(10), out::add);
    batcher.flush(out::add);
    assertThat(out).extracting(b -> b.entries().size()).containsExactly(1, 1, 1);
  }

  private static Fragment fragment(int spanBytes) {
    return new Fragment(InternalSerdesTest.one("svc", "model"), new byte[spanBytes]);
  }

  private static Bytes id(int n) {
    byte[] id = new byte[16];
    id[0] = 0x0a;
    id[14] = (byte) (n >> 8);
    id[15] = (byte) n;
    return Bytes.wrap(id);
  }
}
