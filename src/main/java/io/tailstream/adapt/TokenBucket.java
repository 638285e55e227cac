package io.tailstream.adapt;

/**
 * A token bucket for rule rate limits: {@code ratePerSecond} tokens per second, holding at most one
 * second's worth, so bursts are bounded too. Time is passed in (wall-clock milliseconds), so tests
 * drive it without sleeping. Thread-safe: the stream threads of one instance share a rule's bucket,
 * which makes a limit per instance, not per thread.
 */
public final class TokenBucket {
  private final double ratePerSecond;
  private final double capacity;
  private double tokens;
  private long lastRefillMs = Long.MIN_VALUE;

  public TokenBucket(double ratePerSecond) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("rate must be above 0, got " + ratePerSecond);
    }
    this.ratePerSecond = ratePerSecond;
    this.capacity = Math.max(1, ratePerSecond);
    this.tokens = capacity;
  }

  /**
   * Takes {@code amount} tokens if there are enough. A request bigger than the whole bucket is
   * granted when the bucket is full (leaving it in debt), so that one large trace is not refused
   * forever.
   */
  public synchronized boolean tryAcquire(double amount, long nowMs) {
    refill(nowMs);
    if (tokens >= amount || tokens >= capacity) {
      tokens -= amount;
      return true;
    }
    return false;
  }

  private void refill(long nowMs) {
    if (lastRefillMs == Long.MIN_VALUE) {
      lastRefillMs = nowMs;
      return;
    }
    long elapsed = nowMs - lastRefillMs;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * ratePerSecond / 1000d);
      lastRefillMs = nowMs;
    }
  }

  @Override
  public String toString() {
    return "TokenBucket{" + ratePerSecond + "/s}";
  }
}
