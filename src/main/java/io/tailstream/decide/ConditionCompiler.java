package io.tailstream.decide;

import io.tailstream.adapt.ModelLatencyLearner;
import io.tailstream.adapt.ModelLearners;
import io.tailstream.rules.Condition;
import io.tailstream.rules.ValueMatch;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns parsed {@link Condition}s into {@link TracePredicate}s over {@link TraceFacts}. Span-level
 * conditions (attributes, names, services, statuses, stage latencies, tracestate) become features
 * that the {@link FactsExtractor} computes per span; the predicate then reads one array slot.
 */
final class ConditionCompiler {
  private final FeatureSet.Builder features = new FeatureSet.Builder();
  private final Set<String> modelAttributes = new LinkedHashSet<>();
  private final List<FactsExtractor.Learning> learnings = new ArrayList<>();
  private final ModelLearners learners;

  ConditionCompiler(ModelLearners learners) {
    this.learners = learners;
    // Boosts may be scoped to a model: always know a trace's models by the standard attribute.
    modelAttributes.add(io.tailstream.rules.RulesParser.DEFAULT_MODEL_ATTRIBUTE);
  }

  FeatureSet features() {
    return features.build();
  }

  Set<String> modelAttributes() {
    return modelAttributes;
  }

  List<FactsExtractor.Learning> learnings() {
    return learnings;
  }

  TracePredicate compile(Condition condition) {
    if (condition instanceof Condition.Root r) {
      boolean present = r.present();
      return (f, now) -> f.rootSeen() == present;
    }
    if (condition instanceof Condition.Error e) {
      boolean expected = e.expected();
      return (f, now) -> f.errorSeen() == expected;
    }
    if (condition instanceof Condition.Latency l) {
      return (f, now) -> l.range().contains(f.durationNanos());
    }
    if (condition instanceof Condition.SpanCount c) {
      int min = c.min();
      int max = c.max();
      return (f, now) -> f.spanCount() >= min && f.spanCount() <= max;
    }
    if (condition instanceof Condition.SpanLatency s) {
      int i = features.add(FeatureSet.Kind.MAX_DURATION,
          "stage|" + s.name() + "|" + s.service() + "|" + s.kind(), () -> SpanMatcher.stage(s));
      long above = s.aboveNanos();
      return (f, now) -> feature(f, i, -1) > above;
    }
    if (condition instanceof Condition.Status s) {
      return scoped(s.scope(), "status|" + sorted(s.codes()), () -> SpanMatcher.status(s.codes()));
    }
    if (condition instanceof Condition.Service s) {
      return scoped(s.scope(), "service|" + sorted(s.names()), () -> SpanMatcher.service(s.names()));
    }
    if (condition instanceof Condition.SpanName s) {
      return scoped(s.scope(), "span-name|" + sorted(s.names()), () -> SpanMatcher.spanName(s.names()));
    }
    if (condition instanceof Condition.Attribute a) {
      String key = (a.resource() ? "resource-attribute|" : "attribute|") + a.key() + "|" + describe(a.match());
      return scoped(a.scope(), key, () -> SpanMatcher.attribute(a.resource(), a.key(), a.match()));
    }
    if (condition instanceof Condition.TraceState t) {
      return scoped(Condition.Scope.ANY_SPAN, "trace-state|" + t.key() + "|" + describe(t.match()),
          () -> SpanMatcher.traceState(t.key(), t.match()));
    }
    if (condition instanceof Condition.ModelInference m) {
      return modelInference(m);
    }
    if (condition instanceof Condition.TraceFlags t) {
      int i = features.add(FeatureSet.Kind.ANY, "trace-flags|sampled", SpanMatcher::sampledFlag);
      long expected = t.sampled() ? 1 : 0;
      return (f, now) -> feature(f, i, 0) == expected;
    }
    if (condition instanceof Condition.Ottl o) {
      // One feature per OTTL condition (shared between rules by its parse), any of them true.
      int[] slots = o.conditions().stream().mapToInt(c -> features.add(FeatureSet.Kind.ANY,
          "ottl|" + c.context() + "|" + c.expr(), () -> OttlCompiler.compile(c))).toArray();
      return (f, now) -> {
        for (int i : slots) {
          if (feature(f, i, 0) == 1) {
            return true;
          }
        }
        return false;
      };
    }
    if (condition instanceof Condition.Not n) {
      TracePredicate inner = compile(n.condition());
      return (f, now) -> !inner.test(f, now);
    }
    if (condition instanceof Condition.AnyOf any) {
      TracePredicate[] parts = compileAll(any.conditions());
      return (f, now) -> {
        for (TracePredicate p : parts) {
          if (p.test(f, now)) {
            return true;
          }
        }
        return false;
      };
    }
    TracePredicate[] parts = compileAll(((Condition.AllOf) condition).conditions());
    return (f, now) -> {
      for (TracePredicate p : parts) {
        if (!p.test(f, now)) {
          return false;
        }
      }
      return true;
    };
  }

  private TracePredicate[] compileAll(List<Condition> conditions) {
    TracePredicate[] out = new TracePredicate[conditions.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = compile(conditions.get(i));
    }
    return out;
  }

  private TracePredicate scoped(Condition.Scope scope, String key,
      java.util.function.Supplier<SpanMatcher> matcher) {
    return switch (scope) {
      case ANY_SPAN -> {
        int i = features.add(FeatureSet.Kind.ANY, key, matcher);
        yield (f, now) -> feature(f, i, 0) == 1;
      }
      case ROOT -> {
        int i = features.add(FeatureSet.Kind.ROOT, key, matcher);
        yield (f, now) -> feature(f, i, -1) == 1;
      }
      case ALL_SPANS -> {
        int i = features.add(FeatureSet.Kind.SOME_FAILED, key, matcher);
        yield (f, now) -> f.spanCount() > 0 && feature(f, i, 1) == 0;
      }
    };
  }

  private TracePredicate modelInference(Condition.ModelInference m) {
    modelAttributes.add(m.attribute());
    Map<String, Long> fixed = m.thresholdNanos();
    long fallback = m.defaultNanos();
    ModelLatencyLearner learner = null;
    if (m.learned() != null) {
      Condition.Learned l = m.learned();
      learner = learners.learner(m.attribute(), l.percentile(), l.window().toMillis(),
          l.minSamples(), l.factor());
      learnings.add(new FactsExtractor.Learning(m.attribute(), learner));
    }
    ModelLatencyLearner learned = learner;
    return (f, now) -> {
      for (Map.Entry<String, Long> e : f.modelMaxNanos().entrySet()) {
        long threshold = learned == null
            ? ModelLatencyLearner.UNKNOWN : learned.thresholdNanos(e.getKey(), now);
        if (threshold == ModelLatencyLearner.UNKNOWN) {
          // Fixed thresholds apply to models without enough samples yet.
          threshold = fixed.getOrDefault(e.getKey(), fallback);
        }
        if (threshold > 0 && e.getValue() > threshold) {
          return true;
        }
      }
      return false;
    };
  }

  /** A feature's value, or {@code missing} for facts computed without it (stale summaries). */
  private static long feature(TraceFacts f, int i, long missing) {
    long[] values = f.features();
    return i < values.length ? values[i] : missing;
  }

  private static String sorted(Set<String> values) {
    return String.join(",", new TreeSet<>(values));
  }

  private static String describe(ValueMatch m) {
    if (m instanceof ValueMatch.In in) {
      return "in=" + sorted(in.values());
    }
    return m.toString();
  }
}
