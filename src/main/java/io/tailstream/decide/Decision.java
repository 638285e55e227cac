package io.tailstream.decide;

import io.tailstream.otlp.OtelTraceState;
import java.util.Objects;

/**
 * The outcome for one trace: kept or dropped, by which rule, for traces kept by probability the
 * OpenTelemetry rejection threshold their spans must carry ({@code -1}: leave tracestate as it
 * came), and the version of the rules that decided.
 */
public record Decision(boolean kept, String rule, long threshold, String rulesVersion) {
  /** Rule name reported when no rule decided. */
  public static final String NO_RULE = "no-rule-matched";

  public Decision {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(rulesVersion, "rulesVersion");
  }

  public static Decision keep(String rule, String rulesVersion) {
    return new Decision(true, rule, OtelTraceState.ABSENT, rulesVersion);
  }

  public static Decision drop(String rule, String rulesVersion) {
    return new Decision(false, rule, OtelTraceState.ABSENT, rulesVersion);
  }

  public boolean rewritesThreshold() {
    return kept && threshold != OtelTraceState.ABSENT;
  }

  @Override
  public String toString() {
    return (kept ? "keep" : "drop") + " by " + rule
        + (rewritesThreshold() ? " th:" + OtelTraceState.encodeThreshold(threshold) : "")
        + " (rules " + rulesVersion + ")";
  }
}
