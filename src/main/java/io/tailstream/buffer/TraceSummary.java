package io.tailstream.buffer;

import io.tailstream.config.DecisionSettings;
import io.tailstream.decide.TraceFacts;
import java.util.Objects;

/**
 * The state kept per buffered trace in the {@code trace-state} store: what the rules need
 * ({@link TraceFacts}) plus the arrival times that decide when the trace is due. Immutable.
 *
 * @param firstArrivalMs wall-clock time the first fragment arrived
 * @param lastArrivalMs wall-clock time the latest fragment arrived
 * @param rootArrivalMs wall-clock time the root span arrived, or -1
 */
public record TraceSummary(TraceFacts facts, long firstArrivalMs, long lastArrivalMs,
    long rootArrivalMs) {
  public static final long NO_ROOT = -1;

  public TraceSummary {
    Objects.requireNonNull(facts, "facts");
  }

  public static TraceSummary first(TraceFacts facts, long nowMs) {
    return new TraceSummary(facts, nowMs, nowMs, facts.rootSeen() ? nowMs : NO_ROOT);
  }

  public TraceSummary add(TraceFacts fragment, long nowMs) {
    long root = rootArrivalMs == NO_ROOT && fragment.rootSeen() ? nowMs : rootArrivalMs;
    return new TraceSummary(facts.merge(fragment), firstArrivalMs, Math.max(lastArrivalMs, nowMs), root);
  }

  /** The earliest of first + wait, root + after-root and last + idle. */
  public long dueAtMs(DecisionSettings s) {
    long due = Math.min(firstArrivalMs + s.maxWait().toMillis(), lastArrivalMs + s.idle().toMillis());
    if (rootArrivalMs != NO_ROOT) {
      due = Math.min(due, rootArrivalMs + s.afterRoot().toMillis());
    }
    return due;
  }

  /** Which trigger made the trace due at {@code nowMs}, for metrics and debug logs. */
  public Trigger trigger(DecisionSettings s, long nowMs) {
    if (facts.spanCount() >= s.maxSpansPerTrace()) {
      return Trigger.SPAN_CAP;
    }
    if (facts.bytes() >= s.maxBytesPerTrace()) {
      return Trigger.BYTE_CAP;
    }
    if (rootArrivalMs != NO_ROOT && nowMs >= rootArrivalMs + s.afterRoot().toMillis()) {
      return Trigger.AFTER_ROOT;
    }
    if (nowMs >= lastArrivalMs + s.idle().toMillis()
        && lastArrivalMs + s.idle().toMillis() < firstArrivalMs + s.maxWait().toMillis()) {
      return Trigger.IDLE;
    }
    return Trigger.WAIT;
  }

  public boolean overCaps(DecisionSettings s) {
    return facts.spanCount() >= s.maxSpansPerTrace() || facts.bytes() >= s.maxBytesPerTrace();
  }

  /** Why a trace was decided when it was. */
  public enum Trigger { WAIT, AFTER_ROOT, IDLE, SPAN_CAP, BYTE_CAP, STRESS }
}
