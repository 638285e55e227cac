package io.tailstream.app;

import io.tailstream.buffer.InputLag;

/**
 * How far a task got with one of its input partitions, from Kafka Streams' public
 * {@code TaskMetadata}: {@code committed} is the offset it committed last (the next record to
 * process, or the consumer's position when its queue was empty), {@code polled} the highest
 * offset its consumer handed it ({@code endOffsets()}); -1 for none since the task was created.
 *
 * <p>What lies between is what the consumer's {@code records-lag} does not see: records fetched
 * and queued in the task, not processed yet (and those processed since the last commit, at most
 * one {@code commit.interval.ms}, 100 ms under exactly-once: an overcount, on the safe side).
 */
record TaskProgress(long committed, long polled) {
  static final long NONE = -1;

  /** Records polled but not yet committed as processed; {@link InputLag#UNKNOWN} if unknowable. */
  long queued() {
    if (committed < 0) {
      // Nothing polled since assignment: nothing queued. Polled but never committed: unknown.
      return polled < 0 ? 0 : InputLag.UNKNOWN;
    }
    // After a commit with an empty queue, committed is the position, past any trailing markers.
    return Math.max(0, polled + 1 - committed);
  }
}
