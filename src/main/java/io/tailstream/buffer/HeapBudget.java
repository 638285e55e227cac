package io.tailstream.buffer;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap an instance's buffers may hold undecided traces in ({@code memory.heap-buffer}),
 * shared by all its tasks on all stream threads. What does not fit goes to RocksDB.
 */
public final class HeapBudget {
  private final long limitBytes;
  private final AtomicLong usedBytes = new AtomicLong();

  public HeapBudget(long limitBytes) {
    if (limitBytes < 0) {
      throw new IllegalArgumentException("the heap budget must not be negative, got " + limitBytes);
    }
    this.limitBytes = limitBytes;
  }

  /** Takes {@code bytes} of the budget if that many are left. */
  public boolean tryReserve(long bytes) {
    long used;
    do {
      used = usedBytes.get();
      if (used + bytes > limitBytes) {
        return false;
      }
    } while (!usedBytes.compareAndSet(used, used + bytes));
    return true;
  }

  public void release(long bytes) {
    usedBytes.addAndGet(-bytes);
  }

  public long usedBytes() {
    return usedBytes.get();
  }

  public long limitBytes() {
    return limitBytes;
  }
}
