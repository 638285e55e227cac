package io.tailstream.importer;

import io.tailstream.rules.Rule;
import java.util.List;

/**
 * Writes an {@link Imported} as a rules file: the header, then each rule with the comments that
 * say which policy or rule it came from, then the default. A rule written commented out (best
 * effort) says why it is.
 */
public final class RulesWriter {
  private RulesWriter() {}

  public static String write(Imported imported) {
    StringBuilder b = new StringBuilder();
    imported.header().forEach(h -> b.append("# ").append(h).append('\n'));
    if (imported.usesOttl()) {
      b.append("# Uses the ottl: condition (tailstream's OTTL support).\n");
    }
    b.append("# default: ").append(imported.defaultComment()).append('\n');
    b.append("default: ").append(imported.defaultKeep() ? "keep" : "drop").append('\n');
    b.append("rules:").append(imported.rules().stream().noneMatch(ImportedRule::active) ? " []" : "").append('\n');
    for (ImportedRule r : imported.rules()) {
      b.append('\n');
      r.comments().forEach(c -> b.append("  # ").append(c).append('\n'));
      if (!r.active()) {
        b.append("  # NOT TRANSLATED: ").append(r.disabledReason()).append('\n');
        b.append("  # - name: ").append(ConditionYaml.quote(r.name())).append('\n');
        continue;
      }
      b.append("  - name: ").append(ConditionYaml.quote(r.name())).append('\n');
      rule(b, r);
    }
    return b.toString();
  }

  private static void rule(StringBuilder b, ImportedRule r) {
    if (r.action() == Rule.Action.DROP) {
      b.append("    drop: ").append(ConditionYaml.of(r.condition())).append('\n');
      return;
    }
    if (r.condition() != Expr.TRUE) {
      b.append("    keep: ").append(ConditionYaml.of(r.condition())).append('\n');
    }
    if (r.dynamic() != null) {
      Rule.Dynamic d = r.dynamic();
      String goal = d.throughput() ? ConditionYaml.quote(ConditionYaml.plain(d.goal()) + " traces/s") : percent(d.goal());
      b.append("    sample: { ").append(d.throughput() ? "throughput" : "dynamic").append(": { key: ")
          .append(ConditionYaml.list(d.key())).append(", goal: ").append(goal).append(", interval: ")
          .append(io.tailstream.yaml.Units.format(d.interval())).append(" } }\n");
    } else if (r.sampleRate() < 1 || (r.condition() == Expr.TRUE && !limited(r))) {
      b.append("    sample: ").append(percent(r.sampleRate())).append('\n');
    }
    if (r.rateLimit() != null) {
      b.append("    rate-limit: ").append(ConditionYaml.quote(ConditionYaml.plain(r.rateLimit().perSecond())
          + (r.rateLimit().spans() ? " spans/s" : " traces/s"))).append('\n');
    }
    if (r.bytesPerSecond() > 0) {
      b.append("    bytes-limit: ").append((long) r.bytesPerSecond()).append("/s\n");
    }
  }

  private static boolean limited(ImportedRule r) {
    return r.rateLimit() != null || r.bytesPerSecond() > 0;
  }

  static String percent(double rate) {
    return ConditionYaml.plain(rate * 100) + "%";
  }
}
