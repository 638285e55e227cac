package io.tailstream.buffer;

import java.util.PriorityQueue;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;

/**
 * Buffered trace ids ordered by the time their decision may be due, so that the punctuator looks
 * only at traces that could be due instead of scanning the whole buffer.
 *
 * <p>Design: entries are never updated in place. A trace's due time moves later whenever a new
 * span extends its idle deadline; rather than touching the queue on every fragment, the entry
 * stays where it was and the punctuator re-schedules it when it finds the trace not yet due (a
 * lazy update, at most one per idle period). A due time that moves earlier (the root span arrived)
 * gets an extra entry; stale entries are dropped when they surface and find no buffered trace.
 * The index lives in memory only and is rebuilt from the changelogged {@code trace-state} store
 * when a task starts, so it needs no changelog of its own.
 */
public final class DueIndex {
  private record Entry(long dueAtMs, Bytes traceId) {}

  private final PriorityQueue<Entry> queue =
      new PriorityQueue<>((a, b) -> Long.compare(a.dueAtMs, b.dueAtMs));

  public void schedule(Bytes traceId, long dueAtMs) {
    queue.add(new Entry(dueAtMs, traceId));
  }

  /** Removes and hands over every id scheduled at or before {@code nowMs}. */
  public void pollDue(long nowMs, Consumer<Bytes> onDue) {
    while (!queue.isEmpty() && queue.peek().dueAtMs <= nowMs) {
      onDue.accept(queue.poll().traceId);
    }
  }

  public int size() {
    return queue.size();
  }

  public void clear() {
    queue.clear();
  }
}
