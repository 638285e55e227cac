package io.tailstream.buffer;

/**
 * How far this instance's consumer is behind the end of an input partition. The input clock
 * asks it before it lets a partition's progress follow the wall clock: only a partition whose
 * consumer has read everything there is may be treated as caught up. A lag that is not known
 * (not fetched yet since the task was assigned, paused, assigned elsewhere) is never taken for
 * zero, so a restarted task waits for its backlog instead of deciding ahead of it.
 */
public interface InputLag {
  /** Lag not known. */
  long UNKNOWN = -1;

  /** Never caught up: the clock moves only with what has been read. */
  InputLag NEVER_CAUGHT_UP = (topic, partition) -> UNKNOWN;

  /** Always caught up: for tests and tools that drive the wall clock by hand. */
  InputLag ALWAYS_CAUGHT_UP = (topic, partition) -> 0;

  /**
   * Records between the consumer's position and the partition's last stable offset, or
   * {@link #UNKNOWN}. Called from stream threads; must be cheap and thread-safe.
   */
  long lag(String topic, int partition);
}
