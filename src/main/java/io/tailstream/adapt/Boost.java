package io.tailstream.adapt;

import java.util.Objects;

/**
 * A temporary raise of sampling for a scope, from an operator or the spike detector.
 *
 * <p>Scope: every non-null field must match — {@code service} any span's {@code service.name},
 * {@code model} any span's model attribute, {@code rule} the rule that decides the trace. Effect:
 * exactly one of {@code sample} (a keep probability, at least the rule's own), {@code factor}
 * (multiplies the probabilistic rates in scope) or {@code keepAll}.
 */
public record Boost(String id, String service, String model, String rule, double sample,
    double factor, boolean keepAll, long expiresAtMs, String reason, String by, boolean auto) {
  public static final double NONE = 0;

  public Boost {
    Objects.requireNonNull(id, "id");
  }

  public boolean expired(long nowMs) {
    return nowMs >= expiresAtMs;
  }

  /** The probability a rule sampling at {@code rate} samples at while this boost applies. */
  public double boostedRate(double rate) {
    if (keepAll) {
      return 1;
    }
    if (sample > NONE) {
      return Math.max(rate, sample);
    }
    return Math.min(1, rate * factor);
  }

  /** A short description of the scope, e.g. "service=ranker,model=ranker-v3" or "all". */
  public String scopeKey() {
    StringBuilder s = new StringBuilder();
    if (service != null) {
      s.append("service=").append(service);
    }
    if (model != null) {
      s.append(s.length() > 0 ? "," : "").append("model=").append(model);
    }
    if (rule != null) {
      s.append(s.length() > 0 ? "," : "").append("rule=").append(rule);
    }
    return s.length() == 0 ? "all" : s.toString();
  }

  public String effect() {
    return keepAll ? "keep-all" : sample > NONE ? "sample " + sample : "factor " + factor;
  }
}
