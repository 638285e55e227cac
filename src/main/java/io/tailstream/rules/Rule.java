package io.tailstream.rules;

import java.util.Objects;

/**
 * One sampling rule as written: a name, an action, what it applies to, and optional limits.
 *
 * <ul>
 *   <li>{@code keep: <condition>} — keep matching traces;
 *   <li>{@code keep: <condition>} with {@code sample: <rate>} — keep matching traces at that rate;
 *   <li>{@code sample: <rate>} — keep any trace at that rate (consistent probability sampling);
 *   <li>{@code drop: <condition>} — drop matching traces.
 * </ul>
 * {@code condition} is null for a plain {@code sample:}; {@code sampleRate} is 1 unless sampled.
 * A keep rule with {@code rateLimit} or {@code bytesPerSecond} keeps at most that much per second
 * on each instance; beyond it the trace goes on to the next rule.
 */
public record Rule(String name, Action action, Condition condition, double sampleRate,
    RateLimit rateLimit, double bytesPerSecond, Dynamic dynamic, int line, int column) {
  public enum Action { KEEP, DROP }

  /**
   * {@code sample: { dynamic: { key, goal } }} (goal: a rate, the average kept fraction) or
   * {@code sample: { throughput: { key, goal } }} (goal: kept traces per second, all instances).
   * {@code key}: attribute names read from the root span, then its resource.
   */
  public record Dynamic(boolean throughput, java.util.List<String> key, double goal,
      java.time.Duration interval) {
    public Dynamic {
      key = java.util.List.copyOf(key);
    }
  }

  /** {@code rate-limit: "100 traces/s"} or {@code "5000 spans/s"}. */
  public record RateLimit(double perSecond, boolean spans) {
    @Override
    public String toString() {
      return perSecond + (spans ? " spans/s" : " traces/s");
    }
  }

  public Rule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(action, "action");
    if (!(sampleRate >= 0 && sampleRate <= 1)) {
      throw new IllegalArgumentException("sampleRate must be in [0, 1], got " + sampleRate);
    }
  }

  public boolean sampled() {
    return action == Action.KEEP && (sampleRate < 1 || dynamic != null);
  }

  public boolean limited() {
    return rateLimit != null || bytesPerSecond > 0;
  }

  /** A keep rule that decides every trace that reaches it. */
  public boolean catchAll() {
    return action == Action.KEEP && condition == null && sampleRate >= 1 && dynamic == null && !limited();
  }
}
