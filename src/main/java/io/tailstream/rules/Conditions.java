package io.tailstream.rules;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Human-readable one-line descriptions of conditions, for validate, replay and logs. */
public final class Conditions {
  private Conditions() {}

  public static String describe(Condition c) {
    if (c instanceof Condition.Root r) {
      return r.present() ? "root present" : "root missing";
    }
    if (c instanceof Condition.Error e) {
      return e.expected() ? "error" : "no error";
    }
    if (c instanceof Condition.Status s) {
      return scope(s.scope()) + "status in " + set(s.codes());
    }
    if (c instanceof Condition.Latency l) {
      return "latency " + l.range();
    }
    if (c instanceof Condition.SpanLatency s) {
      StringBuilder b = new StringBuilder("span-latency(");
      if (s.name() != null) {
        b.append("name=").append(s.name()).append(' ');
      }
      if (s.service() != null) {
        b.append("service=").append(s.service()).append(' ');
      }
      if (s.kind() != null) {
        b.append("kind=").append(s.kind()).append(' ');
      }
      return b.toString().trim() + ") > " + ms(s.aboveNanos());
    }
    if (c instanceof Condition.ModelInference m) {
      String fixed = m.thresholdNanos().entrySet().stream()
          .map(e -> e.getKey() + ">" + ms(e.getValue())).sorted().collect(Collectors.joining(", "));
      if (m.defaultNanos() > 0) {
        fixed += (fixed.isEmpty() ? "" : ", ") + "default>" + ms(m.defaultNanos());
      }
      String learned = m.learned() == null ? "" : String.format(Locale.ROOT, " learned p%s×%s/%s",
          trim(m.learned().percentile()), trim(m.learned().factor()),
          io.tailstream.yaml.Units.format(m.learned().window()));
      return "model-inference[" + m.attribute() + "](" + fixed + ")" + learned;
    }
    if (c instanceof Condition.Attribute a) {
      return scope(a.scope()) + (a.resource() ? "resource." : "") + a.key() + " " + match(a.match());
    }
    if (c instanceof Condition.SpanCount s) {
      return "span-count " + s.min() + ".." + (s.max() == Integer.MAX_VALUE ? "" : s.max());
    }
    if (c instanceof Condition.Service s) {
      return scope(s.scope()) + "service in " + set(s.names());
    }
    if (c instanceof Condition.SpanName s) {
      return scope(s.scope()) + "span-name in " + set(s.names());
    }
    if (c instanceof Condition.TraceState t) {
      return "tracestate " + t.key() + " " + match(t.match());
    }
    if (c instanceof Condition.TraceFlags t) {
      return t.sampled() ? "trace-flags sampled" : "trace-flags not sampled";
    }
    if (c instanceof Condition.Ottl o) {
      return "ottl(" + o.conditions().stream().map(oc -> (oc.context() == io.tailstream.rules.ottl.OttlParser.Context.SPAN
          ? "" : "spanevent: ") + oc.source().strip()).collect(Collectors.joining(" | ")) + ")";
    }
    if (c instanceof Condition.Not n) {
      return "not(" + describe(n.condition()) + ")";
    }
    if (c instanceof Condition.AnyOf a) {
      return "any-of(" + list(a.conditions()) + ")";
    }
    return "all-of(" + list(((Condition.AllOf) c).conditions()) + ")";
  }

  private static String list(List<Condition> conditions) {
    return conditions.stream().map(Conditions::describe).collect(Collectors.joining(", "));
  }

  private static String match(ValueMatch m) {
    if (m instanceof ValueMatch.Equals e) {
      return "= " + e.value();
    }
    if (m instanceof ValueMatch.In in) {
      return "in " + set(in.values());
    }
    if (m instanceof ValueMatch.Prefix p) {
      return "starts with " + p.prefix();
    }
    if (m instanceof ValueMatch.Regex r) {
      return "matches /" + r.pattern() + "/";
    }
    if (m instanceof ValueMatch.Number n) {
      return "number " + n.range().describe();
    }
    if (m instanceof ValueMatch.Bool b) {
      return "is " + b.value();
    }
    return ((ValueMatch.Exists) m).expected() ? "exists" : "is absent";
  }

  private static String scope(Condition.Scope s) {
    return switch (s) {
      case ANY_SPAN -> "";
      case ROOT -> "root ";
      case ALL_SPANS -> "all spans ";
    };
  }

  private static String set(Collection<String> values) {
    return "[" + String.join(", ", new TreeSet<>(values)) + "]";
  }

  private static String ms(long nanos) {
    return io.tailstream.yaml.Units.format(Duration.ofNanos(nanos));
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
