package io.tailstream.rules;

import java.util.Objects;

/**
 * One sampling rule as written: a name, an action and what it applies to.
 *
 * <ul>
 *   <li>{@code keep: <condition>} — keep matching traces;
 *   <li>{@code keep: <condition>} with {@code sample: <rate>} — keep matching traces at that rate;
 *   <li>{@code sample: <rate>} — keep any trace at that rate (consistent probability sampling);
 *   <li>{@code drop: <condition>} — drop matching traces.
 * </ul>
 * {@code condition} is null for a plain {@code sample:}; {@code sampleRate} is 1 unless sampled.
 */
public record Rule(String name, Action action, Condition condition, double sampleRate, int line) {
  public enum Action { KEEP, DROP }

  public Rule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(action, "action");
    if (!(sampleRate >= 0 && sampleRate <= 1)) {
      throw new IllegalArgumentException("sampleRate must be in [0, 1], got " + sampleRate);
    }
  }

  public boolean sampled() {
    return action == Action.KEEP && sampleRate < 1;
  }
}
