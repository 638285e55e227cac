package io.tailstream.rules;

import io.tailstream.rules.ottl.OttlExpr;
import io.tailstream.rules.ottl.OttlParser;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a rule's {@code keep:} or {@code drop:} asks of a trace, as parsed. Values, compared by
 * content: the compiler shares one computed feature between equal conditions.
 */
public sealed interface Condition {

  /** Which spans a span-level condition looks at. */
  enum Scope {
    /** At least one span matches (the default). */
    ANY_SPAN,
    /** The root span matches (false while no root span arrived). */
    ROOT,
    /** Every span matches. */
    ALL_SPANS
  }

  /**
   * {@code root: present} — a root span (no parent) was seen; {@code missing}: none was, as when
   * a collector dropped it or the trace was decided by {@code wait} before it arrived.
   */
  record Root(boolean present) implements Condition {}

  /** {@code error: true} — some span has status ERROR ({@code false}: none has). */
  record Error(boolean expected) implements Condition {}

  /** {@code status: [ERROR, UNSET]} — span status codes, by scope. */
  record Status(Set<String> codes, Scope scope) implements Condition {
    public static final Set<String> CODES = Set.of("UNSET", "OK", "ERROR");

    public Status {
      codes = Set.copyOf(codes);
      Objects.requireNonNull(scope, "scope");
    }
  }

  /** {@code latency: "> 2s"} — the trace's duration, max(end) - min(start) over its spans. */
  record Latency(DurationRange range) implements Condition {
    public Latency {
      Objects.requireNonNull(range, "range");
    }
  }

  /**
   * {@code span-latency} — some span matching the selector (name, service, kind; null = any) ran
   * longer than {@code aboveNanos}: a pipeline stage's own limit.
   */
  record SpanLatency(String name, String service, String kind, long aboveNanos) implements Condition {}

  /**
   * {@code model-inference} — some span carrying {@code attribute} ran longer than its model's
   * threshold: fixed per model, {@code defaultNanos} for other models (0: none), or learned from
   * the model's recent latencies when {@code learned} is set.
   */
  record ModelInference(String attribute, Map<String, Long> thresholdNanos, long defaultNanos,
      Learned learned) implements Condition {
    public ModelInference {
      Objects.requireNonNull(attribute, "attribute");
      thresholdNanos = Map.copyOf(thresholdNanos);
    }
  }

  /** A learned threshold: the model's recent {@code percentile} × {@code factor}. */
  record Learned(double percentile, Duration window, int minSamples, double factor) {}

  /** {@code attribute:} (span) or {@code resource-attribute:} — a value test on one key. */
  record Attribute(boolean resource, String key, ValueMatch match, Scope scope) implements Condition {
    public Attribute {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(match, "match");
      Objects.requireNonNull(scope, "scope");
    }
  }

  /** {@code span-count: { min, max }} — inclusive bounds on the number of spans. */
  record SpanCount(int min, int max) implements Condition {}

  /** {@code service:} — the {@code service.name} of a span's resource, by scope. */
  record Service(Set<String> names, Scope scope) implements Condition {
    public Service {
      names = Set.copyOf(names);
    }
  }

  /** {@code span-name:} — a span's name, by scope. */
  record SpanName(Set<String> names, Scope scope) implements Condition {
    public SpanName {
      names = Set.copyOf(names);
    }
  }

  /**
   * {@code trace-flags: { sampled: true }} — some span carries the W3C sampled flag (its head
   * sampler sampled it); {@code false}: no span does.
   */
  record TraceFlags(boolean sampled) implements Condition {}

  /** {@code trace-state: { key, … }} — an entry of some span's W3C tracestate. */
  record TraceState(String key, ValueMatch match) implements Condition {}

  /**
   * {@code ottl:} — OTTL conditions, as the Collector's {@code ottl_condition} policy takes them:
   * true when any of them holds for some span ({@code span} list) or some span event
   * ({@code spanevent} list).
   */
  record Ottl(List<OttlCondition> conditions) implements Condition {
    public Ottl {
      conditions = List.copyOf(conditions);
    }
  }

  /** One OTTL condition: its text as written, which list it came from, and its parse. */
  record OttlCondition(String source, OttlParser.Context context, OttlExpr expr) {
    public OttlCondition {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(context, "context");
      Objects.requireNonNull(expr, "expr");
    }
  }

  record AllOf(List<Condition> conditions) implements Condition {
    public AllOf {
      conditions = List.copyOf(conditions);
    }
  }

  record AnyOf(List<Condition> conditions) implements Condition {
    public AnyOf {
      conditions = List.copyOf(conditions);
    }
  }

  record Not(Condition condition) implements Condition {
    public Not {
      Objects.requireNonNull(condition, "condition");
    }
  }
}
