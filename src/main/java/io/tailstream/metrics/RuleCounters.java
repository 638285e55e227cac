package io.tailstream.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Traces decided with one outcome (kept or dropped), counted per rule, and exported as
 * {@code tailstream_traces_total{outcome, rule}}. Boost ids are minted per incident, so every
 * {@code boost:<id>} decision is exported under the one label {@code boost:*}, while the log line
 * keeps the ids; rule names cannot start with {@code boost:} (the rules parser reserves it).
 */
final class RuleCounters {
  private final Map<String, LongAdder> byRule = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final String outcome;

  RuleCounters(MeterRegistry registry, String outcome) {
    this.registry = registry;
    this.outcome = outcome;
  }

  /** The counter of a rule, created (and its label exported at 0) on first use. */
  LongAdder of(String rule) {
    LongAdder existing = byRule.get(rule);
    return existing != null ? existing : byRule.computeIfAbsent(rule, r -> {
      String label = label(r);
      // Registered once per label; the function sums every rule sharing it (all boosts).
      FunctionCounter.builder("tailstream.traces", byRule, m -> sumWithLabel(label))
          .description("traces decided, by outcome and by the rule that decided")
          .tags("outcome", outcome, "rule", label)
          .register(registry);
      return new LongAdder();
    });
  }

  /** Rules that counted at least one trace (rules registered at zero are left out). */
  Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    byRule.forEach((k, v) -> {
      long n = v.sum();
      if (n > 0) {
        out.put(k, n);
      }
    });
    return out;
  }

  static String label(String rule) {
    return rule.startsWith("boost:") ? "boost:*" : rule;
  }

  private double sumWithLabel(String label) {
    double sum = 0;
    for (Map.Entry<String, LongAdder> e : byRule.entrySet()) {
      if (label(e.getKey()).equals(label)) {
        sum += e.getValue().sum();
      }
    }
    return sum;
  }
}
