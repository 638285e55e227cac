package io.tailstream.decide;

import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.Condition;
import io.tailstream.rules.Rule;
import io.tailstream.rules.RuleSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Compiled rules. All parsing, validation and precomputation happens in {@link #compile}, so that
 * {@link #decide} is a walk over predicates that allocates nothing except for probabilistic keeps.
 *
 * <p>Rules are tried in order and the first decisive rule wins. A {@code keep} rule decides when
 * its condition holds — and, for a sampled rule, when the trace is also selected by probability;
 * an unselected trace goes on to the next rule. A {@code drop} rule decides when its condition
 * holds. A trace no rule decides is dropped as {@value Decision#NO_RULE}.
 */
public final class Decider {
  private final List<CompiledRule> rules;
  private final Set<String> modelAttributes;
  private final Decision fallback = Decision.drop(Decision.NO_RULE);

  private Decider(List<CompiledRule> rules, Set<String> modelAttributes) {
    this.rules = List.copyOf(rules);
    this.modelAttributes = Set.copyOf(modelAttributes);
  }

  public static Decider compile(RuleSet ruleSet) {
    List<CompiledRule> compiled = new ArrayList<>();
    Set<String> modelAttributes = new LinkedHashSet<>();
    for (Rule rule : ruleSet.rules()) {
      Predicate<TraceFacts> predicate =
          rule.condition() == null ? null : predicate(rule.condition(), modelAttributes);
      compiled.add(new CompiledRule(rule, predicate));
    }
    return new Decider(compiled, modelAttributes);
  }

  /** The span attributes that name a model, for {@link FactsExtractor}. */
  public Set<String> modelAttributes() {
    return modelAttributes;
  }

  public List<String> ruleNames() {
    return rules.stream().map(r -> r.name).toList();
  }

  public Decision decide(TraceFacts facts, byte[] traceId) {
    long randomness = facts.randomness() != OtelTraceState.ABSENT
        ? facts.randomness() : TraceIds.randomness(traceId);
    for (CompiledRule rule : rules) {
      Decision d = rule.evaluate(facts, randomness);
      if (d != null) {
        return d;
      }
    }
    return fallback;
  }

  /**
   * The OpenTelemetry rejection threshold for a keep probability: keep when randomness >= T, so
   * T = (1 - p) * 2^56 (rounded; p = 1 gives 0, p = 0 gives 2^56 which no 56-bit value reaches).
   */
  public static long thresholdFor(double probability) {
    double t = (1d - probability) * OtelTraceState.MAX_THRESHOLD;
    return Math.max(0, Math.min(OtelTraceState.MAX_THRESHOLD, Math.round(t)));
  }

  private static Predicate<TraceFacts> predicate(Condition condition, Set<String> modelAttributes) {
    if (condition instanceof Condition.Error e) {
      return e.expected() ? TraceFacts::errorSeen : f -> !f.errorSeen();
    }
    if (condition instanceof Condition.Latency l) {
      return f -> l.range().contains(f.durationNanos());
    }
    if (condition instanceof Condition.ModelInference m) {
      modelAttributes.add(m.attribute());
      return f -> anyModelAbove(f, m);
    }
    Condition.AllOf all = (Condition.AllOf) condition;
    List<Predicate<TraceFacts>> parts = new ArrayList<>();
    for (Condition c : all.conditions()) {
      parts.add(predicate(c, modelAttributes));
    }
    return f -> {
      for (Predicate<TraceFacts> p : parts) {
        if (!p.test(f)) {
          return false;
        }
      }
      return true;
    };
  }

  private static boolean anyModelAbove(TraceFacts facts, Condition.ModelInference m) {
    for (var e : facts.modelMaxNanos().entrySet()) {
      long threshold = m.thresholdNanos().getOrDefault(e.getKey(), m.defaultNanos());
      if (threshold > 0 && e.getValue() > threshold) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "Decider" + ruleNames();
  }

  private static final class CompiledRule {
    final String name;
    final Predicate<TraceFacts> predicate;
    final boolean drop;
    final boolean sampled;
    final long threshold;
    final Decision fixed;

    CompiledRule(Rule rule, Predicate<TraceFacts> predicate) {
      this.name = rule.name();
      this.predicate = predicate;
      this.drop = rule.action() == Rule.Action.DROP;
      this.sampled = rule.sampled() || rule.condition() == null;
      this.threshold = thresholdFor(rule.sampleRate());
      this.fixed = drop ? Decision.drop(name) : Decision.keep(name);
    }

    Decision evaluate(TraceFacts facts, long randomness) {
      if (predicate != null && !predicate.test(facts)) {
        return null;
      }
      if (!sampled) {
        return fixed;
      }
      if (randomness < threshold) {
        return null;
      }
      // Never lower an incoming threshold: downstream count estimates must stay unbiased.
      return new Decision(true, name, Math.max(threshold, facts.threshold()));
    }
  }
}
