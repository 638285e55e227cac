package io.tailstream.adapt;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bytes that state keyed by something from the input (a service, a model) may hold in one
 * owner: a key is admitted only when its bytes fit, so a high-cardinality attribute costs at most
 * the budget instead of its cardinality times a key's size. Owners release a key's bytes when they
 * forget it and count what they refused, for the metrics.
 */
final class ByteBudget {
  private final long maxBytes;
  private final AtomicLong used = new AtomicLong();
  private final LongAdder refused = new LongAdder();

  ByteBudget(long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("byte budget must be positive, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** Takes {@code bytes} if they fit; false (and nothing taken) if they do not. */
  boolean tryReserve(long bytes) {
    long before;
    do {
      before = used.get();
      if (before + bytes > maxBytes) {
        return false;
      }
    } while (!used.compareAndSet(before, before + bytes));
    return true;
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  /** Counts one refusal: something that did not fit and was not kept. */
  void refuse() {
    refused.increment();
  }

  long used() {
    return used.get();
  }

  long maxBytes() {
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
