package io.tailstream.buffer;

import org.apache.kafka.common.utils.Bytes;

/**
 * Where a rebuild of the buffer starts reading the log again: the offset of the oldest
 * undecided trace's first fragment. Every fragment of every buffered trace lies at or after it.
 *
 * <p>Design: a FIFO of (offset, trace id) in the order traces entered the buffer, which is
 * offset order, since a task reads its partition in order. A trace that leaves is marked where it
 * is ({@link #left}: a binary search by its first offset, then the few entries of that offset,
 * the traces of one batch), with the sign of its offset; {@link #advance} drops marked entries
 * from the head. No store is asked whether a trace is still buffered (that was a RocksDB look-up
 * per decided trace, most of them misses). An entry that is not found stays, which keeps the
 * point earlier than it needs to be: a longer re-read, never a lost span. Three paged
 * {@code long} arrays, 24 bytes per buffered trace; the dead space before the head is given back
 * when it is larger than what is live.
 */
public final class ReReadPoint {
  /** No trace buffered. */
  public static final long NONE = -1;

  private LongPages offsets = new LongPages(1024);
  private LongPages high = new LongPages(1024);
  private LongPages low = new LongPages(1024);
  private long head;
  private long tail;

  /** A trace entered the buffer with its first fragment at {@code offset} (not negative). */
  public void entered(Bytes traceId, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offsets are not negative, got " + offset);
    }
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

  /** The trace that entered with its first fragment at {@code offset} left the buffer. */
  public void left(Bytes traceId, long offset) {
    byte[] id = traceId.get();
    long h = TraceIdHash.high(id);
    long l = TraceIdHash.low(id);
    for (long i = firstAtOrAfter(offset); i < tail && offsetAt(i) == offset; i++) {
      // A marked entry is negative: it does not match again.
      if (offsets.get(i) == offset && high.get(i) == h && low.get(i) == l) {
        offsets.set(i, -offset - 1);
        return;
      }
    }
  }

  /** Offset i's magnitude: a marked entry keeps its place in the order. */
  private long offsetAt(long i) {
    long o = offsets.get(i);
    return o < 0 ? -o - 1 : o;
  }

  /** The first entry from the head whose offset is at least {@code offset}. */
  private long firstAtOrAfter(long offset) {
    long lo = head;
    long hi = tail;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (offsetAt(mid) < offset) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Drops the traces that left from the head and returns the offset to re-read from, or
   * {@link #NONE} when no trace is buffered.
   */
  public long advance() {
    while (head < tail && offsets.get(head) < 0) {
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
