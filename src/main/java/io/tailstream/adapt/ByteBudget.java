package io.tailstream.adapt;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bytes that state may hold, shared by its owners on any thread: something is admitted only
 * when its bytes fit. For state keyed by something from the input (a service, a model), a
 * high-cardinality attribute then costs at most the budget instead of its cardinality times a
 * key's size; for the buffer's heap tier ({@code memory.heap-buffer}), traces that do not fit go
 * to RocksDB. Owners release what they forget and count what they refused, for the metrics.
 */
public final class ByteBudget {
  private final long maxBytes;
  private final AtomicLong used = new AtomicLong();
  private final LongAdder refused = new LongAdder();

  /** @param maxBytes 0 admits nothing */
  public ByteBudget(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("byte budget must not be negative, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** Takes {@code bytes} if they fit; false (and nothing taken) if they do not. */
  public boolean tryReserve(long bytes) {
    long before;
    do {
      before = used.get();
      if (before + bytes > maxBytes) {
        return false;
      }
    } while (!used.compareAndSet(before, before + bytes));
    return true;
  }

  public void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Counts one refusal: something that did not fit and was not kept. */
  void refuse() {
    refused.increment();
  }

  public long used() {
    return used.get();
  }

  public long maxBytes() {
    return maxBytes;
  }

  long refused() {
    return refused.sum();
  }

  @Override
  public String toString() {
    return used.get() + " of " + maxBytes + " bytes, " + refused.sum() + " refused";
  }
}
