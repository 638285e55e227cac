package io.tailstream.buffer;

import io.tailstream.adapt.ByteBudget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.kafka.common.utils.Bytes;

/**
 * The undecided traces of one task that live on the heap, summary and fragments, within the
 * instance's {@link ByteBudget}: a trace decided while here costs no store operation at all,
 * which is what an in-memory sampler costs. Nothing here needs to survive a crash: the buffer is
 * a cache of its log and a crashed task rebuilds it from there. A clean close moves these traces
 * to the stores ({@link TraceBuffer#close}).
 *
 * <p>A trace's size is charged as its fragments' bytes plus a fixed allowance for its summary
 * and map entry, an estimate rather than a measurement: it keeps the budget's meaning ("about
 * this much heap") without walking objects.
 */
final class HotTraces {
  /** Summary, facts, map entry and key of one trace: a few hundred bytes, rounded up. */
  static final long TRACE_OVERHEAD_BYTES = 512;
  /** Array header and list slot of one fragment. */
  static final long FRAGMENT_OVERHEAD_BYTES = 24;

  /** One trace on the heap. */
  static final class Hot {
    TraceSummary summary;
    final List<byte[]> fragments = new ArrayList<>(2);
    long chargedBytes;
  }

  private final ByteBudget budget;
  private final Map<Bytes, Hot> traces = new HashMap<>();

  HotTraces(ByteBudget budget) {
    this.budget = budget;
  }

  /** The trace's summary if it is here, else null. */
  TraceSummary summary(Bytes traceId) {
    Hot hot = traces.get(traceId);
    return hot == null ? null : hot.summary;
  }

  /** Takes a new trace's first fragment if the budget has room for it. */
  boolean tryHold(Bytes traceId, TraceSummary summary, byte[] fragment) {
    long charge = TRACE_OVERHEAD_BYTES + FRAGMENT_OVERHEAD_BYTES + fragment.length;
    if (!budget.tryReserve(charge)) {
      return false;
    }
    Hot hot = new Hot();
    hot.summary = summary;
    hot.fragments.add(fragment);
    hot.chargedBytes = charge;
    traces.put(traceId, hot);
    return true;
  }

  /** Adds a fragment to a trace that is here if the budget has room for it; else leaves it as it was. */
  boolean tryAdd(Bytes traceId, TraceSummary summary, byte[] fragment) {
    Hot hot = traces.get(traceId);
    long charge = FRAGMENT_OVERHEAD_BYTES + fragment.length;
    if (hot == null || !budget.tryReserve(charge)) {
      return false;
    }
    hot.summary = summary;
    hot.fragments.add(fragment);
    hot.chargedBytes += charge;
    return true;
  }

  /** The trace's fragments in the order they came, or null when it is not here. */
  List<byte[]> fragments(Bytes traceId) {
    Hot hot = traces.get(traceId);
    return hot == null ? null : List.copyOf(hot.fragments);
  }

  /** Takes the trace out and gives its bytes back to the budget; null when it was not here. */
  Hot remove(Bytes traceId) {
    Hot hot = traces.remove(traceId);
    if (hot != null) {
      budget.release(hot.chargedBytes);
    }
    return hot;
  }

  int size() {
    return traces.size();
  }

  /** Hands every trace to {@code each} and empties this tier, budget given back. */
  void drain(BiConsumer<Bytes, Hot> each) {
    traces.forEach(each);
    traces.values().forEach(h -> budget.release(h.chargedBytes));
    traces.clear();
  }
}
