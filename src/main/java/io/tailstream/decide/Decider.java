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
 *
 * <h2>The threshold of a kept trace is the whole rule set's</h2>
 * The {@code th} a kept trace carries must state the probability that the rules, not the rule
 * that kept it, keep a trace with these facts at this moment (OpenTelemetry
 * <a href="https://opentelemetry.io/docs/specs/otel/trace/tracestate-probability-sampling/">
 * TraceState: Probability Sampling</a>). Take the rules without their rate and byte limits. For
 * fixed facts each rule the facts reach is a drop, a deterministic keep, or a sampled keep that
 * keeps R >= T_i and passes the rest on; all use the same randomness R. So after sampled rules
 * i..j the kept set is R >= min(T_i..T_j). A drop rule or {@code default: drop} ends it there
 * (boosts not tied to a rule are one more sampled step before the default); a deterministic keep
 * or {@code default: keep} keeps every R. The rules therefore keep exactly {R >= T}, T the lowest
 * threshold of the sampled rules reached before the first drop, or they keep everything. T
 * depends on the facts, boosts and rates, never on R ("they must not condition the provided
 * threshold on the randomness value", General requirements), and every kept trace with these
 * facts carries it whichever rule kept it: with {@code health: sample 0.1%} before
 * {@code baseline: sample 10%}, health traces are kept at 10% and say so. Where everything is
 * kept, the spans keep the threshold they came with. Finding T means looking past the keeping
 * rule: the conditions of the rules after it are tested until a drop or deterministic keep.
 *
 * <p>A limited rule keeps by its bucket, not by R, and only adds keeps before passing the rest
 * on, so the full rules keep a superset of {R >= T}. A trace with R >= T carries T whichever rule
 * kept it; one below T was kept only by a limit, its probability is unknown, and its {@code th}
 * is erased ({@link Decision#ERASE}). Erasing every limited keep instead would take traces out of
 * {R >= T} and bias the counts estimated from the rest.
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
    long randomness = randomness(facts, traceId);
    Boost[] active = boosts.snapshot();
    CompiledRule keptBy = null; // the first rule that keeps: the decision's name
    long reached = OtelTraceState.MAX_THRESHOLD; // lowest threshold of the sampled rules reached
    for (CompiledRule rule : rules) {
      if (rule.predicate != null && !rule.predicate.test(facts, nowMs)) {
        continue; // tested once here: samplers count only the traces their rule applies to
      }
      if (rule.drop) {
        return keptBy == null ? rule.fixed : sampledKeep(keptBy, reached, randomness);
      }
      if (!rule.sampled && !rule.limited) {
        return keptBy == null ? rule.fixed : keptBy.fixed; // kept whatever R: as it came
      }
      boolean deciding = keptBy == null;
      if (rule.limited && !deciding) {
        continue; // limits take no part in the threshold (see the class comment)
      }
      long threshold = rule.sampled ? threshold(rule, facts, active, deciding, nowMs) : 0;
      if (deciding && rule.keeps(facts, randomness, threshold, nowMs)) {
        keptBy = rule;
      }
      if (!rule.limited) {
        reached = Math.min(reached, threshold);
      }
    }
    if (fallback.kept()) {
      return keptBy == null ? fallback : keptBy.fixed;
    }
    Boost boost = active.length == 0 ? null : unruledBoost(active, facts, nowMs);
    if (boost != null) {
      // Boosts not tied to a rule keep what no rule kept: one more sampled step before the default.
      long t = thresholdFor(boost.boostedRate(0));
      reached = Math.min(reached, t);
      if (keptBy == null && randomness >= t) {
        return Decision.keepSampled(BOOST_PREFIX + boost.id(), reached, version);
      }
    }
    return keptBy == null ? fallback : sampledKeep(keptBy, reached, randomness);
  }

  /**
   * A keep when the rules without their limits end in a drop for these facts, so that they keep
   * exactly the traces with R >= {@code reached}. Below it only a limit can have kept the trace.
   */
  private Decision sampledKeep(CompiledRule keptBy, long reached, long randomness) {
    return randomness >= reached
        ? Decision.keepSampled(keptBy.name, reached, version) : keptBy.unweighted;
  }

  /**
   * A sampled rule's threshold now: its rate, or its key's dynamic rate, raised by boosts in
   * scope. {@code counted}: the trace reached the rule undecided, so it counts as the dynamic
   * sampler's traffic; a trace an earlier rule kept only looks its rate up.
   */
  private static long threshold(CompiledRule rule, TraceFacts facts, Boost[] active,
      boolean counted, long nowMs) {
    if (rule.sampler == null && active.length == 0) {
      return rule.threshold;
    }
    double rate = rule.rate;
    if (rule.sampler != null) {
      String key = rule.key(facts);
      rate = counted ? rule.sampler.rate(key, nowMs) : rule.sampler.currentRate(key);
    }
    return thresholdFor(
        active.length == 0 ? rate : boostedRate(active, facts, rule.name, rate, nowMs));
  }

  /** The active boost not tied to any rule with the highest rate for these facts, or null. */
  private static Boost unruledBoost(Boost[] active, TraceFacts facts, long nowMs) {
    Boost best = null;
    double bestRate = 0;
    for (Boost b : active) {
      if (!b.expired(nowMs) && (b.rule() == null || b.rule().equals(Decision.NO_RULE))
          && inScope(b, facts) && b.boostedRate(0) > bestRate) {
        best = b;
        bestRate = b.boostedRate(0);
      }
    }
    return best;
  }

  private static long randomness(TraceFacts facts, byte[] traceId) {
    return facts.randomness() != OtelTraceState.ABSENT
        ? facts.randomness() : TraceIds.randomness(traceId);
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
    long t = thresholdFor(rate);
    return randomness(facts, traceId) >= t
        ? Decision.keepSampled(STRESS_SAMPLE, t, version)
        : Decision.drop(STRESS_SAMPLE, version);
  }

  /** Rule names of stress decisions; the {@code stress:} prefix marks them. */
  public static final String STRESS_ERRORS = "stress:errors";
  public static final String STRESS_SAMPLE = "stress:sample";
  /** Rule names of keeps by a boost not tied to a rule: {@code boost:<id>}. */
  public static final String BOOST_PREFIX = "boost:";

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
    /** A keep rule's decision when only its limit kept the trace; null for drop rules. */
    final Decision unweighted;
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
      this.unweighted = drop ? null : Decision.keepErasingThreshold(name, version);
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
     * Whether this sampled or limited keep rule keeps a trace its condition holds for: selected by
     * {@code threshold} (its own, or lower while a boost raises its rate) and within its limits.
     * A limit's tokens are taken only from traces the rate selected.
     */
    boolean keeps(TraceFacts facts, long randomness, long threshold, long nowMs) {
      if (sampled && randomness < threshold) {
        return false;
      }
      if (rateLimit != null && !rateLimit.tryAcquire(limitSpans ? facts.spanCount() : 1, nowMs)) {
        return false;
      }
      return bytesLimit == null || bytesLimit.tryAcquire(facts.bytes(), nowMs);
    }
  }
}
