package io.tailstream.buffer;

/**
 * One input partition's progress in input time, kept by the split task that reads it and sent
 * on as {@link Watermark}s.
 *
 * <p>While there is input to read, progress is the newest record time read: a backlog of
 * hours is decided at the pace of its own timestamps, not of the wall clock. Only when the
 * partition is caught up (its consumer has read everything there is, {@link InputLag} says
 * zero) and nothing was read during the whole last interval does progress follow the wall
 * clock, less the delivery slack ({@code decision.delivery-slack}, {@link #DELIVERY_SLACK_MS} by
 * default) for records still on their way from a collector, so
 * that quiet traffic is still decided on time. The "nothing read" condition matters at the end
 * of a backlog: the consumer may report zero lag while the records of its last fetch still wait
 * to be processed, and they are old.
 *
 * <p>Where no record can be in flight (a test driver that processes each record as it is piped)
 * neither guard applies and a caught-up partition's progress is the wall clock itself.
 *
 * <p>Record times are clamped to the wall clock: a producer whose clock runs ahead must not
 * drag every trace's decision forward with it. Progress never goes back.
 */
public final class SourceProgress {
  /** No progress known yet: nothing read, and not known to be caught up. */
  public static final long NONE = Long.MIN_VALUE;

  /** How long after its timestamp a record may still reach the log from a collector, by default. */
  public static final long DELIVERY_SLACK_MS = 1_000;

  private final boolean recordsInFlight;
  private final long deliverySlackMs;
  private long newestMs = NONE;
  private long announcedMs = NONE;
  private boolean readSinceAnnouncement;

  /** @param recordsInFlight see {@link InputLag#recordsInFlight()} */
  public SourceProgress(boolean recordsInFlight) {
    this(recordsInFlight, DELIVERY_SLACK_MS);
  }

  /** @param deliverySlackMs how far a caught-up partition's progress trails the wall clock */
  public SourceProgress(boolean recordsInFlight, long deliverySlackMs) {
    if (deliverySlackMs < 0) {
      throw new IllegalArgumentException("delivery slack must not be negative, got " + deliverySlackMs);
    }
    this.recordsInFlight = recordsInFlight;
    this.deliverySlackMs = deliverySlackMs;
  }

  /** The input time a record stamped {@code recordMs} counts at, read at wall time {@code wallMs}. */
  public long observe(long recordMs, long wallMs) {
    long time = Math.min(recordMs, wallMs);
    newestMs = Math.max(newestMs, time);
    readSinceAnnouncement = true;
    return time;
  }

  /**
   * The progress to announce at wall time {@code wallMs}, or {@link #NONE} while nothing is
   * known. {@code caughtUp}: the consumer has read all there is of this partition.
   */
  public long announce(long wallMs, boolean caughtUp) {
    long progress = newestMs;
    if (caughtUp && !recordsInFlight) {
      progress = Math.max(progress, wallMs);
    } else if (caughtUp && !readSinceAnnouncement) {
      progress = Math.max(progress, wallMs - deliverySlackMs);
    }
    readSinceAnnouncement = false;
    announcedMs = Math.max(announcedMs, progress);
    return announcedMs;
  }
}
