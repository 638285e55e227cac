package io.tailstream.buffer;

import java.nio.ByteBuffer;
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
 *
 * <p>Layout: a binary min-heap over three parallel paged {@code long} arrays (due time, trace id
 * high and low 8 bytes): 24 bytes per buffered trace and no object per entry, so a million traces
 * in flight cost 24 MB of heap and nothing for the garbage collector to trace.
 *
 * <p>Since every buffered trace has an entry, the index also answers "may this trace be
 * buffered?" with a Bloom filter over its entries (16 bits per entry, four probes, at most about
 * 0.2% false positives, zero-padded 64-bit ids included). A "no" spares the first fragment of
 * every new trace a RocksDB look-up of its summary that would find nothing. Entries leave the
 * heap but not the filter, so the filter is rebuilt from the heap once as many ids went in as it
 * was sized for.
 */
public final class DueIndex {
  private static final int INITIAL_CAPACITY = 1024;

  private LongPages due = new LongPages(INITIAL_CAPACITY);
  private LongPages high = new LongPages(INITIAL_CAPACITY);
  private LongPages low = new LongPages(INITIAL_CAPACITY);
  private int size;
  private LongPages filter = new LongPages(INITIAL_CAPACITY * 16 / 64);
  private long filterBits = INITIAL_CAPACITY * 16L;
  private long filterInserts;

  /** Schedules a 16-byte trace id; the same id may be scheduled more than once. */
  public void schedule(Bytes traceId, long dueAtMs) {
    byte[] id = traceId.get();
    if (id.length != 16) {
      throw new IllegalArgumentException("trace ids are 16 bytes, got " + id.length);
    }
    if (size == due.capacity()) {
      due.ensureCapacity(size + 1L);
      high.ensureCapacity(size + 1L);
      low.ensureCapacity(size + 1L);
    }
    long h = TraceIdHash.high(id);
    long l = TraceIdHash.low(id);
    int i = size++;
    set(i, dueAtMs, h, l);
    siftUp(i);
    if (++filterInserts > filterBits / 16) {
      rebuildFilter();
    } else {
      addToFilter(h, l);
    }
  }

  /** False when the trace is certainly not buffered (has no entry). */
  public boolean mayContain(Bytes traceId) {
    byte[] id = traceId.get();
    if (id.length != 16) {
      return false;
    }
    long h1 = TraceIdHash.fingerprint(TraceIdHash.high(id), TraceIdHash.low(id));
    long h2 = secondHash(h1);
    for (int k = 0; k < 4; k++) {
      long bit = Long.remainderUnsigned(h1 + k * h2, filterBits);
      if ((filter.get(bit >>> 6) & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The probes are {@code h1 + k * h2} (Kirsch and Mitzenmacher's double hashing), both from the
   * 16-byte fingerprint. Hashing each half alone made {@code h1} 0 for every zero-padded 64-bit id,
   * so all of them shared the first probe: 3.2% false positives instead of 0.09%.
   */
  private void addToFilter(long high, long low) {
    long h1 = TraceIdHash.fingerprint(high, low);
    long h2 = secondHash(h1);
    for (int k = 0; k < 4; k++) {
      long bit = Long.remainderUnsigned(h1 + k * h2, filterBits);
      filter.or(bit >>> 6, 1L << bit);
    }
  }

  /** Odd, so that with the filter's even size an id's four probes are distinct bits. */
  private static long secondHash(long h1) {
    return TraceIdHash.mix(h1 ^ 0x9E3779B97F4A7C15L) | 1;
  }

  /** Sized for twice the current entries, so rebuilds are amortized over as many inserts. */
  private void rebuildFilter() {
    long entries = Math.max(INITIAL_CAPACITY, 2L * size);
    filter = new LongPages(entries * 16 / 64);
    filterBits = entries * 16;
    filterInserts = size;
    for (int i = 0; i < size; i++) {
      addToFilter(high.get(i), low.get(i));
    }
  }

  /** Removes and hands over every id scheduled at or before {@code nowMs}, earliest first. */
  public void pollDue(long nowMs, Consumer<Bytes> onDue) {
    while (size > 0 && due.get(0) <= nowMs) {
      byte[] id = ByteBuffer.allocate(16).putLong(high.get(0)).putLong(low.get(0)).array();
      removeTop();
      onDue.accept(Bytes.wrap(id));
    }
  }

  public int size() {
    return size;
  }

  public void clear() {
    size = 0;
    filter = new LongPages(INITIAL_CAPACITY * 16 / 64);
    filterBits = INITIAL_CAPACITY * 16L;
    filterInserts = 0;
    due = new LongPages(INITIAL_CAPACITY);
    high = new LongPages(INITIAL_CAPACITY);
    low = new LongPages(INITIAL_CAPACITY);
  }

  private void removeTop() {
    size--;
    if (size > 0) {
      set(0, due.get(size), high.get(size), low.get(size));
      siftDown(0);
    }
  }

  private void siftUp(int i) {
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (due.get(parent) <= due.get(i)) {
        return;
      }
      swap(i, parent);
      i = parent;
    }
  }

  private void siftDown(int i) {
    while (true) {
      int left = 2 * i + 1;
      if (left >= size) {
        return;
      }
      int smallest = left + 1 < size && due.get(left + 1) < due.get(left) ? left + 1 : left;
      if (due.get(i) <= due.get(smallest)) {
        return;
      }
      swap(i, smallest);
      i = smallest;
    }
  }

  private void swap(int a, int b) {
    long d = due.get(a);
    long h = high.get(a);
    long l = low.get(a);
    set(a, due.get(b), high.get(b), low.get(b));
    set(b, d, h, l);
  }

  private void set(int i, long dueAtMs, long h, long l) {
    due.set(i, dueAtMs);
    high.set(i, h);
    low.set(i, l);
  }
}
