package io.tailstream.buffer;

import java.util.function.Predicate;
import org.apache.kafka.common.utils.Bytes;

/**
 * Where a rebuild of the buffer starts reading the log again: the offset of the oldest
 * undecided trace's first fragment. Every fragment of every buffered trace lies at or after it.
 *
 * <p>Design: a FIFO of (offset, trace id) in the order traces entered the buffer, which is
 * offset order, since a task reads its partition in order. Decided traces are not taken out when
 * they are decided (that would be a search); {@link #advance} drops entries from the head while
 * their trace is no longer buffered, so each entry is looked at once at the head. A trace
 * decided and buffered again later keeps its old entry until decided again: the point is then
 * earlier than it needs to be, which costs a longer re-read, never a lost span. Three paged
 * {@code long} arrays, 24 bytes per buffered trace; the dead space before the head is given
 * back when it is larger than what is live.
 */
public final class ReReadPoint {
  /** No trace buffered. */
  public static final long NONE = -1;

  private LongPages offsets = new LongPages(1024);
  private LongPages high = new LongPages(1024);
  private LongPages low = new LongPages(1024);
  private long head;
  private long tail;

  /** A trace entered the buffer with its first fragment at {@code offset}. */
  public void entered(Bytes traceId, long offset) {
    if (tail == offsets.capacity()) {
      compact();
      offsets.ensureCapacity(tail + 1);
      high.ensureCapacity(tail + 1);
      low.ensureCapacity(tail + 1);
    }
    byte[] id = traceId.get();
    offsets.set(tail, offset);
    high.set(tail, TraceIdHash.high(id));
    low.set(tail, TraceIdHash.low(id));
    tail++;
  }

  /**
   * Drops decided traces from the head and returns the offset to re-read from, or
   * {@link #NONE} when no trace is buffered.
   */
  public long advance(Predicate<Bytes> stillBuffered) {
    while (head < tail && !stillBuffered.test(Bytes.wrap(TraceIdHash.id(high.get(head), low.get(head))))) {
      head++;
    }
    return head < tail ? offsets.get(head) : NONE;
  }

  /** Traces entered and not yet dropped (decided ones still behind the head included). */
  public long size() {
    return tail - head;
  }

  public void clear() {
    head = 0;
    tail = 0;
  }

  private void compact() {
    if (head == 0 || head < (tail - head)) {
      return;
    }
    long live = tail - head;
    for (long i = 0; i < live; i++) {
      offsets.set(i, offsets.get(head + i));
      high.set(i, high.get(head + i));
      low.set(i, low.get(head + i));
    }
    head = 0;
    tail = live;
  }
}
