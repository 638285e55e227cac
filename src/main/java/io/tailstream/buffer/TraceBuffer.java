package io.tailstream.buffer;

import io.tailstream.adapt.ByteBudget;
import io.tailstream.config.DecisionSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The undecided traces of one task: their spans, their summaries and the index of when each is
 * due.
 *
 * <p>Two tiers. A new trace goes to the heap ({@link HotTraces}) while the instance's
 * {@link ByteBudget} has room: its summary and fragments stay there until it is decided, with no
 * store operation at all. The others go to the stores: per fragment one append to the spans store
 * (a window store that keeps duplicates, so no read-modify-write of a growing span list) and one
 * small update of the trace's summary. A fragment is stored at its trace's latest input time in
 * the facts, which never goes back, so every fragment of a trace lies in [first, last] of its
 * summary, the range fetched. Decided traces cost no deletes of their spans: those expire with
 * the window store's segments. A trace on the heap whose next fragment no longer fits moves to
 * the stores whole; a clean close moves them all there.
 *
 * <p>Neither store is changelogged: the buffer is a cache of its log (the keyed input, or the
 * by-trace topic), rebuilt by reading the log again from the {@link ReReadPoint} when the task
 * starts without a local buffer it can trust. Span keys carry the buffer's epoch, so a rebuild
 * (a new epoch) never reads back spans a crashed run left behind. The due index and the re-read
 * point are derived state, rebuilt from the summaries when the task starts.
 */
public final class TraceBuffer {
  private final DecisionSettings settings;
  private final WindowStore<Bytes, byte[]> spans;
  private final KeyValueStore<Bytes, TraceSummary> summaries;
  private final LongConsumer tracesDelta;
  private final LongConsumer bytesDelta;
  private final DueIndex dueIndex = new DueIndex();
  private final ReReadPoint reReadPoint = new ReReadPoint();
  private final HotTraces hot;
  private final int epoch;
  private long traces;
  private long bytes;

  /**
   * Opens the buffer on a task's stores and rebuilds its index; {@code tracesDelta} and
   * {@code bytesDelta} hear every change of the buffered traces and bytes.
   */
  public TraceBuffer(DecisionSettings settings, WindowStore<Bytes, byte[]> spans,
      KeyValueStore<Bytes, TraceSummary> summaries, int epoch, ByteBudget heap, LongConsumer tracesDelta,
      LongConsumer bytesDelta) {
    this.settings = settings;
    this.hot = new HotTraces(heap);
    this.spans = spans;
    this.summaries = summaries;
    this.epoch = epoch;
    this.tracesDelta = tracesDelta;
    this.bytesDelta = bytesDelta;
    List<KeyValue<Bytes, Long>> entered = new ArrayList<>();
    try (KeyValueIterator<Bytes, TraceSummary> all = summaries.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, TraceSummary> e = all.next();
        dueIndex.schedule(e.key, e.value.dueAtMs(settings));
        entered.add(KeyValue.pair(e.key, e.value.firstOffset()));
        traces++;
        bytes += e.value.bytes();
      }
    }
    // The store iterates by key; the re-read point wants the order the traces entered.
    entered.sort((a, b) -> Long.compare(a.value, b.value));
    entered.forEach(e -> reReadPoint.entered(e.key, Math.max(0, e.value)));
    tracesDelta.accept(traces);
    bytesDelta.accept(bytes);
  }

  /**
   * Empties a buffer's stores before it is opened for a rebuild: summaries deleted, spans left
   * to expire (the rebuilt buffer has another epoch). Done before the constructor, which would
   * otherwise index every summary only to drop it.
   */
  public static void wipe(KeyValueStore<Bytes, TraceSummary> summaries) {
    List<Bytes> ids = new ArrayList<>();
    try (KeyValueIterator<Bytes, TraceSummary> all = summaries.all()) {
      while (all.hasNext()) {
        ids.add(all.next().key);
      }
    }
    ids.forEach(id -> summaries.put(id, null)); // a delete without the read delete() does first
  }

  /**
   * Where a rebuild would re-read the log from: the first offset of the oldest buffered trace,
   * or {@code nextOffset} (the offset after the last one read) when nothing is buffered.
   */
  public long reReadFrom(long nextOffset) {
    long oldest = reReadPoint.advance();
    return oldest == ReReadPoint.NONE ? nextOffset : Math.min(oldest, nextOffset);
  }

  /** The trace's summary, or null when it is not buffered. */
  public TraceSummary summary(Bytes traceId) {
    // A "no" from the index's filter spares a new trace's first fragment a store look-up.
    return dueIndex.mayContain(traceId) ? lookUp(traceId) : null;
  }

  /** The summary from whichever tier holds the trace, or null. */
  private TraceSummary lookUp(Bytes traceId) {
    TraceSummary onHeap = hot.summary(traceId);
    return onHeap != null ? onHeap : summaries.get(traceId);
  }

  /**
   * Buffers a fragment read at log offset {@code offset} at input time {@code timeMs}
   * ({@code previous}: the trace's summary, null for a new trace) and returns the new summary. A
   * fragment stamped after its trace is due is held (see {@link TraceSummary}).
   */
  public TraceSummary append(Bytes traceId, TraceSummary previous, Fragment fragment, long timeMs,
      long offset) {
    TraceSummary summary;
    if (previous == null) {
      summary = TraceSummary.first(fragment.facts(), timeMs, offset);
      if (offset >= 0) {
        reReadPoint.entered(traceId, offset);
      }
    } else if (timeMs > previous.dueAtMs(settings)) {
      summary = previous.hold(fragment.facts());
    } else {
      summary = previous.add(fragment.facts(), timeMs);
    }
    store(traceId, previous == null, summary, fragment.tracesData());
    long added = summary.bytes() - (previous == null ? 0 : previous.bytes());
    bytes += added;
    bytesDelta.accept(added);
    long due = summary.dueAtMs(settings);
    if (previous == null) {
      traces++;
      tracesDelta.accept(1);
      dueIndex.schedule(traceId, due);
    } else if (due < previous.dueAtMs(settings)) {
      dueIndex.schedule(traceId, due);
    }
    return summary;
  }

  /** On the heap while the budget lasts, else in the stores (where a trace that outgrew the heap moves). */
  private void store(Bytes traceId, boolean first, TraceSummary summary, byte[] fragment) {
    if (first ? hot.tryHold(traceId, summary, fragment) : hot.tryAdd(traceId, summary, fragment)) {
      return;
    }
    HotTraces.Hot moved = hot.remove(traceId);
    if (moved != null) {
      for (byte[] earlier : moved.fragments) {
        spans.put(spanKey(traceId), earlier, summary.lastMs());
      }
    }
    spans.put(spanKey(traceId), fragment, summary.lastMs());
    summaries.put(traceId, summary);
  }

  /** Hands every trace due at input time {@code nowMs} to {@code decide}, which must {@link #forget} it. */
  public void forEachDue(long nowMs, BiConsumer<Bytes, TraceSummary> decide) {
    dueIndex.pollDue(nowMs, traceId -> {
      TraceSummary summary = lookUp(traceId);
      if (summary == null) {
        return; // decided earlier (caps, or an earlier index entry)
      }
      long due = summary.dueAtMs(settings);
      if (due > nowMs) {
        dueIndex.schedule(traceId, due); // its idle deadline moved on since it was indexed
      } else {
        decide.accept(traceId, summary);
      }
    });
  }

  /** The trace's encoded fragments, in the order they were stored; empty when they are gone. */
  public List<byte[]> fragments(Bytes traceId, TraceSummary summary) {
    List<byte[]> onHeap = hot.fragments(traceId);
    if (onHeap != null) {
      return onHeap;
    }
    List<byte[]> out = new ArrayList<>();
    try (WindowStoreIterator<byte[]> it = spans.fetch(spanKey(traceId), summary.firstMs(), summary.lastMs())) {
      while (it.hasNext()) {
        out.add(it.next().value);
      }
    }
    return out;
  }

  /** Takes a trace out of the buffer; its fragments expire with the window store's segments. */
  public void forget(Bytes traceId, TraceSummary summary) {
    if (hot.remove(traceId) == null) {
      summaries.put(traceId, null); // a delete without the read of the old value delete() does first
    }
    reReadPoint.left(traceId, Math.max(0, summary.firstOffset()));
    traces--;
    tracesDelta.accept(-1);
    bytes -= summary.bytes();
    bytesDelta.accept(-summary.bytes());
  }

  /** The trace id and the epoch, big-endian. */
  private Bytes spanKey(Bytes traceId) {
    byte[] id = traceId.get();
    byte[] key = java.util.Arrays.copyOf(id, id.length + 4);
    key[id.length] = (byte) (epoch >>> 24);
    key[id.length + 1] = (byte) (epoch >>> 16);
    key[id.length + 2] = (byte) (epoch >>> 8);
    key[id.length + 3] = (byte) epoch;
    return Bytes.wrap(key);
  }

  public long traces() {
    return traces;
  }

  public long bytes() {
    return bytes;
  }

  /** Traces on the heap now. */
  public int tracesOnHeap() {
    return hot.size();
  }

  /**
   * Moves the traces on the heap to the stores (a clean close leaves the buffer whole there),
   * releases the index and takes this task's traces and bytes out of the gauges.
   */
  public void close() {
    hot.drain((traceId, h) -> {
      for (byte[] fragment : h.fragments) {
        spans.put(spanKey(traceId), fragment, h.summary.lastMs());
      }
      summaries.put(traceId, h.summary);
    });
    tracesDelta.accept(-traces);
    bytesDelta.accept(-bytes);
    traces = 0;
    bytes = 0;
    dueIndex.clear();
    reReadPoint.clear();
  }
}
