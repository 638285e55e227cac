package io.tailstream.buffer;

import io.tailstream.config.DecisionSettings;
import io.tailstream.decide.TraceFacts;
import java.util.Objects;

/**
 * The state kept per buffered trace: what the rules need ({@link TraceFacts}) plus the input
 * times that decide when the trace is due. Immutable.
 *
 * <p>Times are input time (the records' own timestamps, placed by the {@link InputClock}), so
 * a trace is due at the same point of its input however fast that input is read. A fragment
 * stamped after the trace is due, read before the clock got there (its source partition is
 * ahead of another), is <em>held</em>: buffered and emitted with the trace if it is kept, but
 * not part of the facts, because read at the pace of live traffic it would have come after
 * the decision. That keeps decisions the same live and from a backlog.
 *
 * @param firstMs input time of the first fragment
 * @param lastMs input time of the latest fragment in the facts
 * @param rootMs input time of the root span's fragment, or {@link #NO_ROOT}
 * @param heldSpans spans of held fragments
 * @param heldBytes bytes of held fragments
 * @param firstOffset log offset of the first fragment, or {@link #NO_OFFSET}: where a rebuild
 *     must re-read from to find all of the trace
 */
public record TraceSummary(TraceFacts facts, long firstMs, long lastMs, long rootMs,
    int heldSpans, long heldBytes, long firstOffset) {
  public static final long NO_ROOT = -1;
  public static final long NO_OFFSET = -1;

  public TraceSummary {
    Objects.requireNonNull(facts, "facts");
  }

  public TraceSummary(TraceFacts facts, long firstMs, long lastMs, long rootMs, int heldSpans, long heldBytes) {
    this(facts, firstMs, lastMs, rootMs, heldSpans, heldBytes, NO_OFFSET);
  }

  public static TraceSummary first(TraceFacts facts, long timeMs) {
    return first(facts, timeMs, NO_OFFSET);
  }

  public static TraceSummary first(TraceFacts facts, long timeMs, long offset) {
    return new TraceSummary(facts, timeMs, timeMs, facts.rootSeen() ? timeMs : NO_ROOT, 0, 0, offset);
  }

  public TraceSummary add(TraceFacts fragment, long timeMs) {
    long root = rootMs == NO_ROOT && fragment.rootSeen() ? timeMs : rootMs;
    return new TraceSummary(facts.merge(fragment), firstMs, Math.max(lastMs, timeMs), root,
        heldSpans, heldBytes, firstOffset);
  }

  /** A fragment stamped after the trace is due: counted for caps and memory, not in the facts. */
  public TraceSummary hold(TraceFacts fragment) {
    return new TraceSummary(facts, firstMs, lastMs, rootMs, heldSpans + fragment.spanCount(),
        heldBytes + fragment.bytes(), firstOffset);
  }

  /** Spans buffered, held ones included. */
  public int spanCount() {
    return facts.spanCount() + heldSpans;
  }

  /** Bytes buffered, held ones included. */
  public long bytes() {
    return facts.bytes() + heldBytes;
  }

  /** The earliest of first + wait, root + after-root and last + idle. */
  public long dueAtMs(DecisionSettings s) {
    long due = Math.min(firstMs + s.maxWait().toMillis(), lastMs + s.idle().toMillis());
    if (rootMs != NO_ROOT) {
      due = Math.min(due, rootMs + s.afterRoot().toMillis());
    }
    return due;
  }

  /** Which trigger made the trace due at {@code nowMs}, for metrics and debug logs. */
  public Trigger trigger(DecisionSettings s, long nowMs) {
    if (spanCount() >= s.maxSpansPerTrace()) {
      return Trigger.SPAN_CAP;
    }
    if (bytes() >= s.maxBytesPerTrace()) {
      return Trigger.BYTE_CAP;
    }
    if (rootMs != NO_ROOT && nowMs >= rootMs + s.afterRoot().toMillis()) {
      return Trigger.AFTER_ROOT;
    }
    if (nowMs >= lastMs + s.idle().toMillis()
        && lastMs + s.idle().toMillis() < firstMs + s.maxWait().toMillis()) {
      return Trigger.IDLE;
    }
    return Trigger.WAIT;
  }

  public boolean overCaps(DecisionSettings s) {
    return spanCount() >= s.maxSpansPerTrace() || bytes() >= s.maxBytesPerTrace();
  }

  /** Why a trace was decided when it was. */
  public enum Trigger { WAIT, AFTER_ROOT, IDLE, SPAN_CAP, BYTE_CAP, STRESS }
}
