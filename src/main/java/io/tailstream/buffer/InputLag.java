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

  /**
   * Always caught up, and nothing in flight: for TopologyTestDriver and tools that drive the
   * wall clock by hand, where a piped record is processed at once.
   */
  InputLag ALWAYS_CAUGHT_UP = new InputLag() {
    @Override
    public long lag(String topic, int partition) {
      return 0;
    }

    @Override
    public boolean recordsInFlight() {
      return false;
    }
  };

  /**
   * Records between the consumer's position and the partition's last stable offset, or
   * {@link #UNKNOWN}. Called from stream threads; must be cheap and thread-safe.
   */
  long lag(String topic, int partition);

  /**
   * Whether a record can be fetched but not processed yet, or still be on its way from a
   * producer when the lag reads zero: true for a real consumer, which is what
   * {@link SourceProgress} guards against before it follows the wall clock.
   */
  default boolean recordsInFlight() {
    return true;
  }
}
