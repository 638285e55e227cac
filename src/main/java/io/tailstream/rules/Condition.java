package io.tailstream.rules;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What a rule's {@code keep:} or {@code drop:} asks of a trace. Parsed, not yet compiled. */
public sealed interface Condition {

  /** {@code error: true} — any span has status ERROR ({@code error: false}: none has). */
  record Error(boolean expected) implements Condition {}

  /** {@code latency: "> 2s"} — the trace's duration, max(end) - min(start) over its spans. */
  record Latency(DurationRange range) implements Condition {
    public Latency {
      Objects.requireNonNull(range, "range");
    }
  }

  /**
   * {@code model-inference} — some span carrying {@code attribute} ran longer than the threshold
   * of its model; models without their own threshold use {@code defaultNanos} (absent when 0 or
   * less: such models never match).
   */
  record ModelInference(String attribute, Map<String, Long> thresholdNanos, long defaultNanos)
      implements Condition {
    public ModelInference {
      Objects.requireNonNull(attribute, "attribute");
      thresholdNanos = Map.copyOf(thresholdNanos);
    }
  }

  /** Several conditions in one mapping: all must hold. */
  record AllOf(List<Condition> conditions) implements Condition {
    public AllOf {
      conditions = List.copyOf(conditions);
    }
  }
}
