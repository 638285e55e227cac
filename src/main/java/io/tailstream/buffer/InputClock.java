package io.tailstream.buffer;

import java.util.HashMap;
import java.util.Map;

/**
 * A buffer-and-decide task's clock: the input time up to which every source partition has
 * been read, so a trace due before it has all its spans that were stamped before it.
 *
 * <p>Each source announces its progress ({@link Watermark}); the clock is the smallest
 * progress over all sources, and unknown until every expected source has announced one (a
 * restarted task decides nothing until it knows how far each input partition has been read).
 * With input keyed by trace id the only source is the task's own input partition; with null
 * keys every input partition feeds every task, so one lagging partition holds every task's
 * clock back. That is the point: its fragments of the buffered traces are still to come.
 *
 * <p>The clock never goes back. A fragment stamped before it (a producer's clock behind the
 * others, or a record delivered late) is {@link #place placed} at the clock, so that it does
 * not make its trace due at once.
 */
public final class InputClock {
  /** Clock not known yet. */
  public static final long UNKNOWN = Long.MIN_VALUE;

  private final int expectedSources;
  private final Map<Integer, Long> progress = new HashMap<>();
  private long nowMs = UNKNOWN;

  /** @param expectedSources how many source partitions must announce before the clock starts */
  public InputClock(int expectedSources) {
    if (expectedSources < 1) {
      throw new IllegalArgumentException("expected sources must be >= 1, got " + expectedSources);
    }
    this.expectedSources = expectedSources;
  }

  /** Takes a source's progress; true when the clock moved forward. */
  public boolean advance(Watermark mark) {
    if (mark.timeMs() == SourceProgress.NONE) {
      return false;
    }
    progress.merge(mark.source(), mark.timeMs(), Math::max);
    if (progress.size() < expectedSources) {
      return false;
    }
    long min = Long.MAX_VALUE;
    for (long p : progress.values()) {
      min = Math.min(min, p);
    }
    if (min > nowMs) {
      nowMs = min;
      return true;
    }
    return false;
  }

  /** The clock, or {@link #UNKNOWN}. */
  public long nowMs() {
    return nowMs;
  }

  public boolean known() {
    return nowMs != UNKNOWN;
  }

  /** The input time a fragment stamped {@code recordMs} counts at: never before the clock. */
  public long place(long recordMs) {
    return Math.max(recordMs, nowMs);
  }

  /** How many sources have announced progress. */
  public int sources() {
    return progress.size();
  }

  /** The slowest source, or -1 while none announced: what an operator looks at when the clock stalls. */
  public int slowestSource() {
    int slowest = -1;
    long min = Long.MAX_VALUE;
    for (Map.Entry<Integer, Long> e : progress.entrySet()) {
      if (e.getValue() < min) {
        min = e.getValue();
        slowest = e.getKey();
      }
    }
    return slowest;
  }
}
