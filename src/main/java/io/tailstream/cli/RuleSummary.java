package io.tailstream.cli;

import io.tailstream.rules.Conditions;
import io.tailstream.rules.Rule;

/** One line per rule for {@code validate} and {@code replay}. */
final class RuleSummary {
  private RuleSummary() {}

  static String describe(Rule r) {
    StringBuilder s = new StringBuilder();
    s.append(String.format("%-24s line %-4d ", r.name(), r.line()));
    s.append(r.action() == Rule.Action.DROP ? "drop" : "keep");
    if (r.condition() != null) {
      s.append(" when ").append(Conditions.describe(r.condition()));
    } else if (r.action() == Rule.Action.KEEP) {
      s.append(" any trace");
    }
    if (r.dynamic() != null) {
      s.append(r.dynamic().throughput()
          ? String.format(" at %s traces/s", trim(r.dynamic().goal()))
          : String.format(" at %s%% on average", trim(r.dynamic().goal() * 100)));
      s.append(" by ").append(r.dynamic().key());
    } else if (r.sampled()) {
      s.append(String.format(" at %s%%", trim(r.sampleRate() * 100)));
    }
    if (r.rateLimit() != null) {
      s.append(", at most ").append(trim(r.rateLimit().perSecond()))
          .append(r.rateLimit().spans() ? " spans/s" : " traces/s");
    }
    if (r.bytesPerSecond() > 0) {
      s.append(", at most ").append((long) r.bytesPerSecond()).append(" bytes/s");
    }
    return s.toString();
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
