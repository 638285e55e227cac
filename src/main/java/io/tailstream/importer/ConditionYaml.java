package io.tailstream.importer;

import io.tailstream.rules.Condition;
import io.tailstream.rules.DurationRange;
import io.tailstream.rules.NumberRange;
import io.tailstream.rules.ValueMatch;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes a condition as one line of flow-style rules YAML, in the syntax of docs/rules.md. Every
 * string is double-quoted, so no value can change the YAML's structure.
 */
final class ConditionYaml {
  private ConditionYaml() {}

  static String of(Expr e) {
    if (e instanceof Expr.Leaf l) {
      return of(l.condition());
    }
    if (e instanceof Expr.Ottl o) {
      StringBuilder b = new StringBuilder("{ ottl: { ");
      if (!o.span().isEmpty()) {
        b.append("span: ").append(list(o.span()));
      }
      if (!o.spanEvent().isEmpty()) {
        b.append(o.span().isEmpty() ? "" : ", ").append("spanevent: ").append(list(o.spanEvent()));
      }
      return b.append(" } }").toString();
    }
    if (e instanceof Expr.All a) {
      return "{ all-of: [ " + a.items().stream().map(ConditionYaml::of).collect(Collectors.joining(", ")) + " ] }";
    }
    if (e instanceof Expr.Any a) {
      return "{ any-of: [ " + a.items().stream().map(ConditionYaml::of).collect(Collectors.joining(", ")) + " ] }";
    }
    if (e instanceof Expr.Not n) {
      return "{ not: " + of(n.item()) + " }";
    }
    throw new IllegalStateException("a constant condition cannot be written: " + e);
  }

  static String of(Condition c) {
    if (c instanceof Condition.Root r) {
      return "{ root: " + (r.present() ? "present" : "missing") + " }";
    }
    if (c instanceof Condition.Error e) {
      return "{ error: " + e.expected() + " }";
    }
    if (c instanceof Condition.Status s) {
      return "{ status: { codes: " + list(s.codes().stream().sorted().toList()) + ", scope: "
          + scope(s.scope()) + " } }";
    }
    if (c instanceof Condition.Latency l) {
      return "{ latency: " + quote(range(l.range())) + " }";
    }
    if (c instanceof Condition.SpanLatency s) {
      StringBuilder b = new StringBuilder("{ span-latency: { ");
      if (s.name() != null) {
        b.append("name: ").append(quote(s.name())).append(", ");
      }
      if (s.service() != null) {
        b.append("service: ").append(quote(s.service())).append(", ");
      }
      if (s.kind() != null) {
        b.append("kind: ").append(s.kind()).append(", ");
      }
      return b.append("above: ").append(nanos(s.aboveNanos())).append(" } }").toString();
    }
    if (c instanceof Condition.Attribute a) {
      return "{ " + (a.resource() ? "resource-attribute" : "attribute") + ": { key: " + quote(a.key())
          + ", " + match(a.match()) + ", scope: " + scope(a.scope()) + " } }";
    }
    if (c instanceof Condition.SpanCount s) {
      String max = s.max() == Integer.MAX_VALUE ? "" : ", max: " + s.max();
      return "{ span-count: { min: " + s.min() + max + " } }";
    }
    if (c instanceof Condition.Service s) {
      return "{ service: { in: " + list(sorted(s.names())) + ", scope: " + scope(s.scope()) + " } }";
    }
    if (c instanceof Condition.SpanName s) {
      return "{ span-name: { in: " + list(sorted(s.names())) + ", scope: " + scope(s.scope()) + " } }";
    }
    if (c instanceof Condition.TraceFlags t) {
      return "{ trace-flags: { sampled: " + t.sampled() + " } }";
    }
    if (c instanceof Condition.TraceState t) {
      return "{ trace-state: { key: " + quote(t.key()) + ", " + match(t.match()) + " } }";
    }
    if (c instanceof Condition.AllOf a) {
      return "{ all-of: [ " + a.conditions().stream().map(ConditionYaml::of).collect(Collectors.joining(", ")) + " ] }";
    }
    if (c instanceof Condition.AnyOf a) {
      return "{ any-of: [ " + a.conditions().stream().map(ConditionYaml::of).collect(Collectors.joining(", ")) + " ] }";
    }
    if (c instanceof Condition.Not n) {
      return "{ not: " + of(n.condition()) + " }";
    }
    // ModelInference: no importer produces it; a new Condition type must be added here.
    throw new IllegalStateException("no YAML form for condition " + c);
  }

  static String match(ValueMatch m) {
    if (m instanceof ValueMatch.Equals e) {
      return "equals: " + quote(e.value());
    }
    if (m instanceof ValueMatch.In in) {
      return "in: " + list(in.values().stream().toList());
    }
    if (m instanceof ValueMatch.Prefix p) {
      return "prefix: " + quote(p.prefix());
    }
    if (m instanceof ValueMatch.Regex r) {
      return "regex: " + quote(r.pattern());
    }
    if (m instanceof ValueMatch.Number n) {
      return "number: " + quote(number(n.range()));
    }
    if (m instanceof ValueMatch.Bool b) {
      return "bool: " + b.value();
    }
    return "exists: " + ((ValueMatch.Exists) m).expected();
  }

  /** Inclusive bounds only, or one open side: what {@link NumberRange#parse} reads back. */
  private static String number(NumberRange r) {
    boolean noMin = r.min() == Double.NEGATIVE_INFINITY;
    boolean noMax = r.max() == Double.POSITIVE_INFINITY;
    if (!noMin && !noMax && r.min() == r.max()) {
      return plain(r.min());
    }
    if (noMax) {
      return (r.minInclusive() ? ">= " : "> ") + plain(r.min());
    }
    if (noMin) {
      return (r.maxInclusive() ? "<= " : "< ") + plain(r.max());
    }
    if (!r.minInclusive() || !r.maxInclusive()) {
      throw new IllegalStateException("a number range with an open end cannot be written: " + r);
    }
    return plain(r.min()) + ".." + plain(r.max());
  }

  private static String range(DurationRange r) {
    if (r.maxNanos() == Long.MAX_VALUE) {
      return (r.minInclusive() ? ">= " : "> ") + nanos(r.minNanos());
    }
    long max = r.maxInclusive() ? r.maxNanos() : r.maxNanos() - 1;
    if (r.minNanos() == 0 && r.minInclusive()) {
      return "<= " + nanos(max);
    }
    long min = r.minInclusive() ? r.minNanos() : r.minNanos() + 1;
    return nanos(min) + ".." + nanos(max);
  }

  /** Nanoseconds as milliseconds with up to six decimals, which Units.duration reads exactly. */
  static String nanos(long nanos) {
    return new BigDecimal(nanos).movePointLeft(6).stripTrailingZeros().toPlainString() + "ms";
  }

  /** A number as rules YAML writes it: no exponent, no trailing zeros. */
  static String plain(double v) {
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  private static String scope(Condition.Scope s) {
    return s.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static List<String> sorted(Collection<String> values) {
    return values.stream().sorted().toList();
  }

  static String list(Collection<String> values) {
    return "[" + values.stream().map(ConditionYaml::quote).collect(Collectors.joining(", ")) + "]";
  }

  /** A YAML double-quoted scalar. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (ch < 0x20) {
            b.append(String.format(Locale.ROOT, "\\x%02x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
