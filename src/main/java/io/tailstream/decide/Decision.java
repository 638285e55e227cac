package io.tailstream.decide;

import io.tailstream.otlp.OtelTraceState;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The outcome for one trace: kept or dropped, by which rule, what the kept spans' OpenTelemetry
 * rejection threshold ({@code th}) becomes, and the version of the rules that decided.
 *
 * <p>{@code threshold} is one of: {@link #KEEP_INCOMING} (deterministic keeps and drops: each
 * span's tracestate goes out as it came), {@link #ERASE} (a keep that was not probabilistic: the
 * {@code th} of each span is removed), or a threshold in [0, 2^56) — the threshold of the whole
 * rule set's decision, which each span carries raised to its own incoming one if that is higher
 * (see {@link #spanThreshold}). The value is stored as it is in the decision memory, so these
 * codes are part of the stored format: -1 is what versions before {@link #ERASE} existed wrote.
 */
public record Decision(boolean kept, String rule, long threshold, String rulesVersion) {
  /** Rule name reported when no rule decided. */
  public static final String NO_RULE = "no-rule-matched";
  /** {@code threshold}: leave every span's {@code th} as it came. */
  public static final long KEEP_INCOMING = OtelTraceState.ABSENT;
  /**
   * {@code threshold}: remove {@code th} from every span. The spec: "Sampling stages that yield
   * spans with unknown sampling probability [...] must erase the OpenTelemetry threshold value in
   * their output" (<a href="https://opentelemetry.io/docs/specs/otel/trace/tracestate-probability-sampling/#general-requirements">
   * TraceState: Probability Sampling, General requirements</a>).
   */
  public static final long ERASE = -2;

  public Decision {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(rulesVersion, "rulesVersion");
    if (threshold != KEEP_INCOMING && threshold != ERASE
        && (threshold < 0 || threshold >= OtelTraceState.MAX_THRESHOLD)) {
      throw new IllegalArgumentException("threshold must be " + KEEP_INCOMING + " (keep incoming), "
          + ERASE + " (erase) or in [0, 2^56), got " + threshold + " for rule " + rule);
    }
  }

  /** A deterministic keep: the spans keep the threshold they came with. */
  public static Decision keep(String rule, String rulesVersion) {
    return new Decision(true, rule, KEEP_INCOMING, rulesVersion);
  }

  /**
   * A keep by probability: the rule set keeps traces with these facts exactly when their
   * randomness is at least {@code threshold}.
   */
  public static Decision keepSampled(String rule, long threshold, String rulesVersion) {
    if (threshold < 0) {
      throw new IllegalArgumentException("a sampled keep needs a threshold in [0, 2^56), got "
          + threshold + " for rule " + rule);
    }
    return new Decision(true, rule, threshold, rulesVersion);
  }

  /** A keep whose probability is unknown (a rate or byte limit let it through). */
  public static Decision keepErasingThreshold(String rule, String rulesVersion) {
    return new Decision(true, rule, ERASE, rulesVersion);
  }

  public static Decision drop(String rule, String rulesVersion) {
    return new Decision(false, rule, KEEP_INCOMING, rulesVersion);
  }

  /** Whether kept spans get a (possibly raised) threshold written. */
  public boolean rewritesThreshold() {
    return kept && threshold >= 0;
  }

  /** Whether kept spans lose their threshold. */
  public boolean erasesThreshold() {
    return kept && threshold == ERASE;
  }

  /** Whether kept spans' tracestate must be rewritten (else their bytes pass through). */
  public boolean changesTraceState() {
    return rewritesThreshold() || erasesThreshold();
  }

  /**
   * The threshold a kept span that came with {@code incoming} ({@link OtelTraceState#ABSENT} for
   * none) goes out with, {@link OtelTraceState#ABSENT} for none. Per span, not per trace: spans
   * of one trace may come with different thresholds, and an incoming threshold is never lowered
   * ("downstream samplers are able to raise the applied threshold, but they cannot lower", same
   * spec section "Downstream threshold").
   */
  public long spanThreshold(long incoming) {
    if (threshold == ERASE) {
      return OtelTraceState.ABSENT;
    }
    if (threshold == KEEP_INCOMING) {
      return incoming;
    }
    return Math.max(threshold, incoming);
  }

  /**
   * The OpenTelemetry adjusted count of a kept span that came with threshold {@code incoming}
   * ({@link OtelTraceState#ABSENT} for none): how many spans like it it stands for, 2^56 / (2^56 -
   * th) of the threshold it goes out with ({@link #spanThreshold}), so upstream probability
   * sampling recorded in its {@code th} counts too; 1 when it goes out without one (a keep of
   * everything the rule matched). Empty when the decision erases thresholds: a limit let the
   * trace through, with a probability nobody knows. The same figure whose sum over kept spans
   * estimates the traffic ({@code DeciderProperties}).
   */
  public OptionalDouble adjustedCount(long incoming) {
    if (erasesThreshold()) {
      return OptionalDouble.empty();
    }
    long out = spanThreshold(incoming);
    return OptionalDouble.of(out == OtelTraceState.ABSENT ? 1
        : (double) OtelTraceState.MAX_THRESHOLD / (OtelTraceState.MAX_THRESHOLD - out));
  }

  /**
   * The W3C tracestate a kept span that came with {@code incoming} goes out with: its {@code th}
   * set to {@link #spanThreshold}, or removed when the decision erases it; the same string when
   * nothing changes (so that callers can pass the span's bytes through).
   */
  public String traceState(String incoming) {
    if (erasesThreshold()) {
      return OtelTraceState.withoutThreshold(incoming); // malformed th values too
    }
    long in = OtelTraceState.threshold(incoming);
    long out = spanThreshold(in);
    return out == in ? incoming : OtelTraceState.withThreshold(incoming, out);
  }

  @Override
  public String toString() {
    String th = rewritesThreshold() ? " th:" + OtelTraceState.encodeThreshold(threshold)
        : erasesThreshold() ? " th erased" : "";
    return (kept ? "keep" : "drop") + " by " + rule + th + " (rules " + rulesVersion + ")";
  }
}
