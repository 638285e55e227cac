package io.tailstream.topology;

import io.tailstream.buffer.Fragment;
import io.tailstream.adapt.ByteBudget;
import io.tailstream.buffer.TraceBuffer;
import io.tailstream.buffer.TraceSummary;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.config.DecisionSettings;
import io.tailstream.decide.TraceFacts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link TraceBuffer} over the stores buffer-and-decide gives it (here, so it can use their serdes). */
class TraceBufferTest {
  private static final DecisionSettings S = new DecisionSettings(Duration.ofSeconds(30),
      Duration.ofSeconds(5), Duration.ofSeconds(10), 100, 100_000, Duration.ofMinutes(1),
      Duration.ofSeconds(1), Duration.ofSeconds(1), DecisionSettings.Stress.defaults());

  @TempDir
  Path dir;

  private WindowStore<Bytes, byte[]> spans;
  private KeyValueStore<Bytes, TraceSummary> summaries;
  private final AtomicLong traces = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  @BeforeEach
  void stores() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>(new java.util.Properties(),
        new org.apache.kafka.streams.processor.TaskId(0, 0), dir.toFile());
    spans = Stores.windowStoreBuilder(Stores.inMemoryWindowStore("spans", Duration.ofHours(1),
        Duration.ofMillis(1), true), Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
    spans.init(context.getStateStoreContext(), spans);
    summaries = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("summaries"), Serdes.Bytes(),
        InternalSerdes.SUMMARY).withLoggingDisabled().build();
    summaries.init(context.getStateStoreContext(), summaries);
  }

  /** Every trace in the stores (no heap). */
  private TraceBuffer buffer(int epoch) {
    return buffer(epoch, new ByteBudget(0));
  }

  private TraceBuffer buffer(int epoch, ByteBudget heap) {
    return new TraceBuffer(S, spans, summaries, epoch, heap, traces::addAndGet, bytes::addAndGet);
  }

  private static Bytes id(int n) {
    byte[] b = new byte[16];
    b[15] = (byte) n;
    return Bytes.wrap(b);
  }

  private static Fragment fragment(int spans, boolean root, byte tag) {
    return new Fragment(new TraceFacts(spans, 100, 0, 1, root, false, Map.of(), Set.of(), -1, -1),
        new byte[] {tag});
  }

  @Test
  void aTraceIsDueAtItsIdleDeadlineInInputTimeAndHandsBackEveryFragment() {
    TraceBuffer buffer = buffer(1);
    TraceSummary s = buffer.append(id(1), null, fragment(1, false, (byte) 1), 1_000, 0);
    s = buffer.append(id(1), s, fragment(1, false, (byte) 2), 5_000, 3);
    List<Bytes> due = new ArrayList<>();
    buffer.forEachDue(14_999, (id, summary) -> due.add(id));
    assertThat(due).isEmpty();
    buffer.forEachDue(15_000, (id, summary) -> {
      due.add(id);
      assertThat(buffer.fragments(id, summary)).extracting(f -> f[0]).containsExactly((byte) 1, (byte) 2);
      buffer.forget(id, summary);
    });
    assertThat(due).containsExactly(id(1));
    assertThat(traces.get()).isZero();
    assertThat(bytes.get()).isZero();
  }

  @Test
  void aFragmentStampedAfterItsTraceIsDueIsHeldCountedAndStillHandedBack() {
    TraceBuffer buffer = buffer(1);
    TraceSummary s = buffer.append(id(2), null, fragment(1, false, (byte) 1), 0, 0); // due at 10 s
    s = buffer.append(id(2), s, fragment(3, true, (byte) 2), 11_000, 1);
    assertThat(s.facts().spanCount()).isEqualTo(1);
    assertThat(s.facts().rootSeen()).as("held: not in the facts").isFalse();
    assertThat(s.spanCount()).isEqualTo(4);
    assertThat(bytes.get()).isEqualTo(200);
    assertThat(buffer.fragments(id(2), s)).hasSize(2);
  }

  @Test
  void theReReadPointIsTheOldestBufferedTracesFirstOffset() {
    TraceBuffer buffer = buffer(1);
    TraceSummary a = buffer.append(id(3), null, fragment(1, false, (byte) 1), 0, 10);
    buffer.append(id(4), null, fragment(1, false, (byte) 1), 0, 11);
    assertThat(buffer.reReadFrom(12)).isEqualTo(10);
    buffer.forget(id(3), a);
    assertThat(buffer.reReadFrom(12)).isEqualTo(11);
    buffer.forget(id(4), buffer.summary(id(4)));
    assertThat(buffer.reReadFrom(12)).as("nothing buffered: the next offset").isEqualTo(12);
  }

  @Test
  void aReopenedBufferRebuildsItsIndexesAndOneOpenedAfterAWipeHoldsNothing() {
    TraceBuffer first = buffer(1);
    first.append(id(6), null, fragment(1, false, (byte) 1), 0, 21);
    first.append(id(5), null, fragment(1, false, (byte) 1), 0, 20);
    first.close();
    TraceBuffer reopened = buffer(1);
    assertThat(reopened.traces()).isEqualTo(2);
    assertThat(reopened.reReadFrom(30)).as("in offset order, whatever the key order").isEqualTo(20);
    List<Bytes> due = new ArrayList<>();
    reopened.forEachDue(10_000, (id, s) -> due.add(id));
    assertThat(due).containsExactlyInAnyOrder(id(5), id(6));
    reopened.close();
    TraceBuffer.wipe(summaries);
    TraceBuffer wiped = buffer(2);
    assertThat(wiped.traces()).isZero();
    assertThat(wiped.summary(id(5))).isNull();
    assertThat(traces.get()).isZero();
  }

  @Test
  void spansOfAnotherEpochAreNeverHandedBack() {
    TraceBuffer crashed = buffer(1);
    crashed.append(id(7), null, fragment(1, false, (byte) 9), 0, 0);
    crashed.close();
    TraceBuffer.wipe(summaries); // the summaries go; the spans stay in the store until they expire
    TraceBuffer rebuilt = buffer(2);
    TraceSummary s = rebuilt.append(id(7), null, fragment(1, false, (byte) 1), 0, 0);
    assertThat(rebuilt.fragments(id(7), s)).extracting(f -> f[0]).containsExactly((byte) 1);
  }

  private long storedSummaries() {
    return count(summaries.all());
  }

  private long storedFragments() {
    return count(spans.all());
  }

  private static long count(org.apache.kafka.streams.state.KeyValueIterator<?, ?> all) {
    long n = 0;
    try (all) {
      while (all.hasNext()) {
        all.next();
        n++;
      }
    }
    return n;
  }

  /** What one trace of {@code fragments} one-byte fragments is charged on the heap. */
  private static long charge(int fragments) {
    return 512 + fragments * (24 + 1L);
  }

  @Test
  void aTraceDecidedOnTheHeapNeverTouchesTheStores() {
    ByteBudget heap = new ByteBudget(1 << 20);
    TraceBuffer buffer = buffer(1, heap);
    TraceSummary s = buffer.append(id(20), null, fragment(1, false, (byte) 1), 0, 0);
    buffer.append(id(20), s, fragment(2, true, (byte) 2), 500, 1);
    assertThat(buffer.tracesOnHeap()).isEqualTo(1);
    assertThat(heap.used()).isEqualTo(charge(2));
    assertThat(buffer.summary(id(20)).spanCount()).isEqualTo(3);
    buffer.forEachDue(60_000, (id, summary) -> {
      assertThat(buffer.fragments(id, summary)).extracting(f -> f[0]).containsExactly((byte) 1, (byte) 2);
      buffer.forget(id, summary);
    });
    assertThat(storedSummaries()).isZero();
    assertThat(storedFragments()).isZero();
    assertThat(heap.used()).as("given back").isZero();
    assertThat(buffer.summary(id(20))).isNull();
  }

  @Test
  void whatTheBudgetCannotHoldGoesToTheStoresAndAHeapTraceThatOutgrowsItMovesThereWhole() {
    ByteBudget heap = new ByteBudget(charge(2)); // one trace of two fragments
    TraceBuffer buffer = buffer(1, heap);
    TraceSummary a = buffer.append(id(21), null, fragment(1, false, (byte) 1), 0, 0);
    buffer.append(id(22), null, fragment(1, false, (byte) 5), 0, 1);
    assertThat(buffer.tracesOnHeap()).as("the second trace did not fit").isEqualTo(1);
    assertThat(storedSummaries()).isEqualTo(1);
    a = buffer.append(id(21), a, fragment(1, false, (byte) 2), 100, 2);
    assertThat(buffer.tracesOnHeap()).isEqualTo(1);
    a = buffer.append(id(21), a, fragment(1, false, (byte) 3), 200, 3); // no room for a third
    assertThat(buffer.tracesOnHeap()).isZero();
    assertThat(heap.used()).isZero();
    assertThat(storedSummaries()).isEqualTo(2);
    assertThat(buffer.summary(id(21)).spanCount()).isEqualTo(3);
    assertThat(buffer.fragments(id(21), buffer.summary(id(21)))).as("in the order they came")
        .extracting(f -> f[0]).containsExactly((byte) 1, (byte) 2, (byte) 3);
    buffer.append(id(23), null, fragment(1, false, (byte) 7), 300, 4);
    assertThat(buffer.tracesOnHeap()).as("the budget it gave back holds a new trace").isEqualTo(1);
  }

  @Test
  void aCleanCloseMovesTheHeapTracesToTheStoresWhereTheReopenedBufferFindsThem() {
    ByteBudget heap = new ByteBudget(1 << 20);
    TraceBuffer first = buffer(1, heap);
    TraceSummary s = first.append(id(24), null, fragment(1, false, (byte) 1), 0, 30);
    first.append(id(24), s, fragment(1, false, (byte) 2), 100, 31);
    first.close();
    assertThat(heap.used()).isZero();
    TraceBuffer reopened = buffer(1, heap);
    assertThat(reopened.traces()).isEqualTo(1);
    assertThat(reopened.reReadFrom(40)).isEqualTo(30);
    List<byte[]> fragments = new ArrayList<>();
    reopened.forEachDue(60_000, (id, summary) -> {
      fragments.addAll(reopened.fragments(id, summary));
      reopened.forget(id, summary);
    });
    assertThat(fragments).extracting(f -> f[0]).containsExactly((byte) 1, (byte) 2);
  }
}
