package io.tailstream.decide;

import io.tailstream.adapt.AdaptiveState;
import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostTable;
import io.tailstream.adapt.DynamicSampler;
import io.tailstream.adapt.ModelLearners;
import io.tailstream.adapt.TokenBucket;
import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.Rule;
import io.tailstream.rules.RuleSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Compiled rules. All parsing, validation and precomputation happens in {@link #compile}, so that
 * {@link #decide} walks predicates over the trace's summary and allocates nothing except for
 * probabilistic keeps.
 *
 * <p>Rules are tried in order and the first decisive rule wins. A {@code keep} rule decides when
 * its condition holds — and, when sampled or limited, when the trace is also selected by
 * probability and fits the rule's rate limit; otherwise the trace goes on to the next rule. A
 * {@code drop} rule decides when its condition holds. A trace no rule decides gets the rule set's
 * default, reported as {@value Decision#NO_RULE}.
 */
public final class Decider {
  private final List<CompiledRule> rules;
  private final FeatureSet features;
  private final Set<String> modelAttributes;
  private final List<FactsExtractor.Learning> learnings;
  private final AdaptiveState adaptive;
  private final String version;
  private final Decision fallback;
  private final FactsExtractor extractor;
  private final BoostTable boosts;
  private final CompiledRule baseline;

  private Decider(RuleSet ruleSet, List<CompiledRule> rules, ConditionCompiler compiler,
      AdaptiveState adaptive, Set<String> keyFields) {
    this.adaptive = adaptive;
    this.boosts = adaptive.boosts();
    this.rules = List.copyOf(rules);
    this.features = compiler.features();
    this.modelAttributes = Set.copyOf(compiler.modelAttributes());
    this.learnings = List.copyOf(compiler.learnings());
    this.version = ruleSet.version();
    this.fallback = ruleSet.defaultKeep()
        ? Decision.keep(Decision.NO_RULE, version) : Decision.drop(Decision.NO_RULE, version);
    this.extractor = new FactsExtractor(features, modelAttributes, learnings, keyFields, adaptive);
    CompiledRule last = null;
    for (CompiledRule r : this.rules) {
      if (r.predicate == null && r.sampled && !r.limited) {
        last = r;
      }
    }
    this.baseline = last;
  }

  public static Decider compile(RuleSet ruleSet) {
    return compile(ruleSet, AdaptiveState.standalone());
  }

  /**
   * Compiles against the instance's adaptive state, so that learned thresholds and dynamic
   * samplers survive a rules reload and boosts apply to every decision.
   */
  public static Decider compile(RuleSet ruleSet, AdaptiveState adaptive) {
    ConditionCompiler compiler = new ConditionCompiler(adaptive.learners());
    List<CompiledRule> compiled = new ArrayList<>();
    Set<String> keyFields = new java.util.LinkedHashSet<>();
    for (Rule rule : ruleSet.rules()) {
      TracePredicate predicate = rule.condition() == null ? null : compiler.compile(rule.condition());
      DynamicSampler sampler = null;
      if (rule.dynamic() != null) {
        Rule.Dynamic d = rule.dynamic();
        keyFields.addAll(d.key());
        sampler = adaptive.sampler(rule.name(),
            d.throughput() ? DynamicSampler.Goal.THROUGHPUT : DynamicSampler.Goal.AVERAGE,
            d.goal(), d.interval().toMillis());
      }
      compiled.add(new CompiledRule(rule, predicate, ruleSet.version(), sampler));
    }
    return new Decider(ruleSet, compiled, compiler, adaptive, keyFields);
  }

  public AdaptiveState adaptive() {
    return adaptive;
  }

  public BoostTable boosts() {
    return boosts;
  }

  /** The last plain {@code sample:} rule's rate: what a head sampler should use. 0 when none. */
  public double baselineRate() {
    return baseline == null ? 0 : baseline.rate;
  }

  /** That rule's name, or null. */
  public String baselineRule() {
    return baseline == null ? null : baseline.name;
  }

  /** The extractor that computes the facts these rules read. */
  public FactsExtractor extractor() {
    return extractor;
  }

  /**
   * Whether {@code facts} were computed for these rules. Facts summarized under other rules
   * (a reload while the trace was buffered) must be recomputed from the spans with
   * {@link #extractor()} before {@link #decide}.
   */
  public boolean understands(TraceFacts facts) {
    return features.size() == 0 || facts.featureSetId() == features.id();
  }

  public String version() {
    return version;
  }

  public ModelLearners learners() {
    return adaptive.learners();
  }

  public Set<String> modelAttributes() {
    return modelAttributes;
  }

  public List<String> ruleNames() {
    return rules.stream().map(r -> r.name).toList();
  }

  public Decision decide(TraceFacts facts, byte[] traceId, long nowMs) {
    long randomness = facts.randomness() != OtelTraceState.ABSENT
        ? facts.randomness() : TraceIds.randomness(traceId);
    Boost[] active = boosts.snapshot();
    for (CompiledRule rule : rules) {
      if (rule.predicate != null && !rule.predicate.test(facts, nowMs)) {
        continue; // tested once here: samplers count only the traces their rule applies to
      }
      long threshold = rule.threshold;
      double rate = rule.rate;
      if (rule.sampler != null) {
        rate = rule.sampler.rate(rule.key(facts), nowMs);
        threshold = thresholdFor(rate);
      }
      if (active.length > 0 && rule.sampled) {
        threshold = thresholdFor(boostedRate(active, facts, rule.name, rate, nowMs));
      }
      Decision d = rule.evaluate(facts, randomness, threshold, nowMs);
      if (d != null) {
        return d;
      }
    }
    if (active.length > 0 && !fallback.kept()) {
      // Boosts not tied to a rule also keep traces no rule kept, at the boost's rate.
      Boost best = null;
      double bestRate = 0;
      for (Boost b : active) {
        if (!b.expired(nowMs) && (b.rule() == null || b.rule().equals(Decision.NO_RULE))
            && inScope(b, facts) && b.boostedRate(0) > bestRate) {
          best = b;
          bestRate = b.boostedRate(0);
        }
      }
      long t = thresholdFor(bestRate);
      if (best != null && randomness >= t) {
        return new Decision(true, "boost:" + best.id(), Math.max(t, facts.threshold()), version);
      }
    }
    return fallback;
  }

  /** The highest rate any active boost in scope gives this rule. */
  private static double boostedRate(Boost[] active, TraceFacts facts, String rule, double rate,
      long nowMs) {
    double best = rate;
    for (Boost b : active) {
      if (!b.expired(nowMs) && (b.rule() == null || b.rule().equals(rule)) && inScope(b, facts)) {
        best = Math.max(best, b.boostedRate(rate));
      }
    }
    return best;
  }

  private static boolean inScope(Boost b, TraceFacts facts) {
    return (b.service() == null || facts.services().contains(b.service()))
        && (b.model() == null || facts.modelMaxNanos().containsKey(b.model()));
  }

  /**
   * A decision at first sight, for stress relief: keep when an error is already visible, else
   * keep at {@code rate} by the trace's randomness (so every instance agrees), with its threshold.
   */
  public Decision decideUnderStress(TraceFacts facts, byte[] traceId, double rate) {
    if (facts.errorSeen()) {
      return Decision.keep(STRESS_ERRORS, version);
    }
    long randomness = facts.randomness() != OtelTraceState.ABSENT
        ? facts.randomness() : TraceIds.randomness(traceId);
    long t = thresholdFor(rate);
    return randomness >= t
        ? new Decision(true, STRESS_SAMPLE, Math.max(t, facts.threshold()), version)
        : Decision.drop(STRESS_SAMPLE, version);
  }

  /** Rule names of stress decisions; the {@code stress:} prefix marks them. */
  public static final String STRESS_ERRORS = "stress:errors";
  public static final String STRESS_SAMPLE = "stress:sample";

  /**
   * The OpenTelemetry rejection threshold for a keep probability: keep when randomness >= T, so
   * T = (1 - p) * 2^56 (rounded; p = 1 gives 0, p = 0 gives 2^56 which no 56-bit value reaches).
   */
  public static long thresholdFor(double probability) {
    double t = (1d - probability) * OtelTraceState.MAX_THRESHOLD;
    return Math.max(0, Math.min(OtelTraceState.MAX_THRESHOLD, Math.round(t)));
  }

  @Override
  public String toString() {
    return "Decider" + ruleNames() + "@" + version;
  }

  private static final class CompiledRule {
    final String name;
    final TracePredicate predicate;
    final boolean drop;
    final boolean sampled;
    final double rate;
    final long threshold;
    final Decision fixed;
    final String version;
    final TokenBucket rateLimit;
    final boolean limitSpans;
    final TokenBucket bytesLimit;
    final boolean limited;
    final DynamicSampler sampler;
    final List<String> keyFields;

    CompiledRule(Rule rule, TracePredicate predicate, String version, DynamicSampler sampler) {
      this.sampler = sampler;
      this.keyFields = rule.dynamic() == null ? List.of() : rule.dynamic().key();
      this.name = rule.name();
      this.predicate = predicate;
      this.drop = rule.action() == Rule.Action.DROP;
      this.sampled = rule.sampled() || (rule.condition() == null && !rule.limited());
      this.rate = rule.sampleRate();
      this.threshold = thresholdFor(rule.sampleRate());
      this.version = version;
      this.fixed = drop ? Decision.drop(name, version) : Decision.keep(name, version);
      this.rateLimit = rule.rateLimit() == null ? null : new TokenBucket(rule.rateLimit().perSecond());
      this.limitSpans = rule.rateLimit() != null && rule.rateLimit().spans();
      this.bytesLimit = rule.bytesPerSecond() > 0 ? new TokenBucket(rule.bytesPerSecond()) : null;
      this.limited = rule.limited();
    }

    /** A dynamic sampler's key: the key attributes' values joined, "-" for a missing one. */
    String key(TraceFacts facts) {
      if (keyFields.size() == 1) {
        return facts.keyAttributes().getOrDefault(keyFields.get(0), "-");
      }
      StringBuilder b = new StringBuilder();
      for (String field : keyFields) {
        if (b.length() > 0) {
          b.append('|');
        }
        b.append(facts.keyAttributes().getOrDefault(field, "-"));
      }
      return b.toString();
    }

    /**
     * For a trace its condition holds for; {@code threshold}: the rule's own, or lower while a
     * boost raises its rate.
     */
    Decision evaluate(TraceFacts facts, long randomness, long threshold, long nowMs) {
      if (drop) {
        return fixed;
      }
      if (sampled && randomness < threshold) {
        return null;
      }
      if (rateLimit != null && !rateLimit.tryAcquire(limitSpans ? facts.spanCount() : 1, nowMs)) {
        return null;
      }
      if (bytesLimit != null && !bytesLimit.tryAcquire(facts.bytes(), nowMs)) {
        return null;
      }
      if (!sampled) {
        return fixed;
      }
      // Never lower an incoming threshold: downstream count estimates must stay unbiased.
      return new Decision(true, name, Math.max(threshold, facts.threshold()), version);
    }
  }
}
