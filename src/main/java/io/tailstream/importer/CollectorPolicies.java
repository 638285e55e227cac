package io.tailstream.importer;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.tailstream.rules.Condition;
import io.tailstream.rules.DurationRange;
import io.tailstream.rules.NumberRange;
import io.tailstream.rules.Rule;
import io.tailstream.rules.ValueMatch;
import io.tailstream.rules.ottl.OttlParser;
import io.tailstream.rules.ottl.OttlSyntaxException;
import io.tailstream.yaml.YamlNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One tail_sampling policy → its {@link Vote}. The option names and what each policy tests are the
 * processor's documented ones (README and config of processor/tailsamplingprocessor); where
 * tailstream differs in a way that matters, a note goes into the rule's comment.
 *
 * <p>Attribute policies ({@code string_attribute}, {@code numeric_attribute},
 * {@code boolean_attribute}) look at resource and span attributes alike, so each becomes
 * {@code any-of} an {@code attribute} and a {@code resource-attribute} test. The processor's
 * regexes are Go's, unanchored (a match anywhere in the value); tailstream matches RE2 against the
 * whole value, so each pattern is wrapped in {@code (?s).*(?:...).*}.
 */
final class CollectorPolicies {
  static final Set<String> TYPES = Set.of("always_sample", "latency", "numeric_attribute",
      "probabilistic", "status_code", "string_attribute", "rate_limiting", "bytes_limiting",
      "span_count", "trace_state", "trace_flags", "boolean_attribute", "ottl_condition", "and",
      "not", "drop", "composite");
  private static final long MS = 1_000_000L;

  private CollectorPolicies() {}

  /** The vote of a policy; {@code notes} receives what its rule's comment should say. */
  static Vote vote(YamlNode policy, List<String> notes) {
    String type = type(policy);
    YamlNode cfg = policy.get(type).orElse(null);
    return switch (type) {
      case "always_sample" -> new Vote.Plain(Expr.TRUE, Selection.ALL);
      case "latency" -> new Vote.Plain(latency(config(policy, cfg, type)), Selection.ALL);
      case "numeric_attribute" -> numeric(config(policy, cfg, type));
      case "probabilistic" -> probabilistic(config(policy, cfg, type), notes);
      case "status_code" -> new Vote.Plain(status(config(policy, cfg, type)), Selection.ALL);
      case "string_attribute" -> string(config(policy, cfg, type), notes);
      case "rate_limiting" -> rateLimiting(config(policy, cfg, type), notes);
      case "bytes_limiting" -> bytesLimiting(config(policy, cfg, type), notes);
      case "span_count" -> new Vote.Plain(spanCount(config(policy, cfg, type)), Selection.ALL);
      case "trace_state" -> new Vote.Plain(traceState(config(policy, cfg, type)), Selection.ALL);
      case "trace_flags" -> new Vote.Plain(Expr.of(new Condition.TraceFlags(true)), Selection.ALL);
      case "boolean_attribute" -> bool(config(policy, cfg, type), notes);
      case "ottl_condition" -> ottl(config(policy, cfg, type), notes);
      case "and" -> and(policy, config(policy, cfg, type), notes);
      case "not" -> not(policy, config(policy, cfg, type), notes);
      case "drop" -> drop(policy, config(policy, cfg, type), notes);
      case "composite" -> throw new Untranslatable(policy, "a composite policy is allowed only at "
          + "the top level");
      // type() let only TYPES through: a type here without a case is a bug.
      default -> throw new IllegalStateException("policy type '" + type + "' has no translation");
    };
  }

  static String type(YamlNode policy) {
    YamlNode typeNode = policy.get("type").orElseThrow(() -> policy.error("policy '" + name(policy)
        + "' has no 'type'"));
    String type = typeNode.scalar();
    if (!TYPES.contains(type)) {
      throw typeNode.error("policy '" + name(policy) + "': unknown type '" + type
          + "'; the tail_sampling processor documents " + String.join(", ", new java.util.TreeSet<>(TYPES)));
    }
    return type;
  }

  static String name(YamlNode policy) {
    return policy.get("name").map(YamlNode::scalar).orElse("policy at line " + policy.line());
  }

  private static YamlNode config(YamlNode policy, YamlNode cfg, String type) {
    if (cfg == null || !cfg.isMap()) {
      throw policy.error("policy '" + name(policy) + "' (type " + type + ") needs a '" + type
          + "' mapping with its options");
    }
    return cfg;
  }

  /**
   * Trace duration in whole milliseconds, as the processor computes it: {@code >= threshold_ms},
   * or with {@code upper_threshold_ms} {@code threshold_ms < d <= upper_threshold_ms}. In
   * nanoseconds that is {@code [t, ∞)} or {@code [(t+1) ms, (u+1) ms)}.
   */
  private static Expr latency(YamlNode cfg) {
    cfg.requireKeys(Set.of("threshold_ms", "upper_threshold_ms"));
    long lower = number(cfg, "threshold_ms", 0);
    long upper = number(cfg, "upper_threshold_ms", 0);
    if (upper == 0) {
      return Expr.of(new Condition.Latency(new DurationRange(lower * MS, true, Long.MAX_VALUE, true)));
    }
    if (upper <= lower) {
      return Expr.FALSE;
    }
    return Expr.of(new Condition.Latency(
        new DurationRange((lower + 1) * MS, true, (upper + 1) * MS - 1, true)));
  }

  private static Vote numeric(YamlNode cfg) {
    cfg.requireKeys(Set.of("key", "min_value", "max_value", "invert_match"));
    String key = text(cfg, "key");
    double min = cfg.get("min_value").map(n -> (double) number(cfg, "min_value", 0))
        .orElse(Double.NEGATIVE_INFINITY);
    double max = cfg.get("max_value").map(n -> (double) number(cfg, "max_value", 0))
        .orElse(Double.POSITIVE_INFINITY);
    Expr matched = attribute(key, new ValueMatch.Number(new NumberRange(min, true, max, true)));
    return flag(cfg, "invert_match") ? new Vote.Inverted(matched) : new Vote.Plain(matched, Selection.ALL);
  }

  private static Vote probabilistic(YamlNode cfg, List<String> notes) {
    cfg.requireKeys(Set.of("sampling_percentage", "hash_salt"));
    double percent = cfg.get("sampling_percentage").map(n -> decimal(n)).orElse(0d);
    if (cfg.get("hash_salt").isPresent()) {
      notes.add("hash_salt is not used: tailstream selects by the trace's OTel randomness (the rv "
          + "of its tracestate, or the trace id's low 56 bits), the same on every instance");
    } else {
      notes.add("selected by the trace's OTel randomness, not the processor's trace id hash: the "
          + "same share of traces, not the same traces");
    }
    if (percent <= 0) {
      return new Vote.Plain(Expr.FALSE, Selection.ALL);
    }
    return new Vote.Plain(Expr.TRUE, percent >= 100 ? Selection.ALL : Selection.rate(percent / 100));
  }

  private static Expr status(YamlNode cfg) {
    cfg.requireKeys(Set.of("status_codes"));
    YamlNode list = cfg.get("status_codes").orElseThrow(() -> cfg.error("missing 'status_codes'"));
    Set<String> codes = new LinkedHashSet<>();
    for (YamlNode item : list.items()) {
      String code = item.scalar().toUpperCase(Locale.ROOT);
      if (!Condition.Status.CODES.contains(code)) {
        throw item.error("bad status code '" + item.scalar() + "': expected OK, ERROR or UNSET");
      }
      codes.add(code);
    }
    return codes.isEmpty() ? Expr.FALSE : Expr.of(new Condition.Status(codes, Condition.Scope.ANY_SPAN));
  }

  private static Vote string(YamlNode cfg, List<String> notes) {
    cfg.requireKeys(Set.of("key", "values", "enabled_regex_matching", "cache_max_size", "invert_match"));
    String key = text(cfg, "key");
    List<String> values = strings(cfg, "values");
    ValueMatch match;
    if (flag(cfg, "enabled_regex_matching")) {
      String pattern = "(?s).*(?:" + values.stream().map(v -> "(?:" + v + ")")
          .collect(Collectors.joining("|")) + ").*";
      try {
        Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        throw new Untranslatable(cfg, "a regex in 'values' is not valid RE2: " + e.getMessage());
      }
      match = new ValueMatch.Regex(pattern);
      if (cfg.get("cache_max_size").isPresent()) {
        notes.add("cache_max_size is not needed: each span is matched once, when it is split");
      }
    } else {
      Set<String> exact = values.stream().filter(v -> !v.isEmpty())
          .collect(Collectors.toCollection(LinkedHashSet::new));
      if (exact.isEmpty()) {
        return new Vote.Plain(Expr.FALSE, Selection.ALL);
      }
      match = new ValueMatch.In(exact);
    }
    Expr matched = attribute(key, match);
    return flag(cfg, "invert_match") ? new Vote.Inverted(matched) : new Vote.Plain(matched, Selection.ALL);
  }

  private static Vote rateLimiting(YamlNode cfg, List<String> notes) {
    cfg.requireKeys(Set.of("spans_per_second"));
    long perSecond = number(cfg, "spans_per_second", 0);
    if (perSecond <= 0) {
      return new Vote.Plain(Expr.FALSE, Selection.ALL);
    }
    notes.add("per instance, a token bucket of one second's worth (the processor counts per "
        + "calendar second); it spends tokens only on traces no earlier rule kept");
    return new Vote.Plain(Expr.TRUE, new Selection(1, new Rule.RateLimit(perSecond, true), 0, null));
  }

  private static Vote bytesLimiting(YamlNode cfg, List<String> notes) {
    cfg.requireKeys(Set.of("bytes_per_second", "burst_capacity"));
    long perSecond = number(cfg, "bytes_per_second", 0);
    if (perSecond <= 0) {
      return new Vote.Plain(Expr.FALSE, Selection.ALL);
    }
    notes.add("per instance; the bucket holds one second's worth ("
        + (cfg.get("burst_capacity").isPresent() ? "burst_capacity " + number(cfg, "burst_capacity", 0)
            + " is not used" : "the processor's default burst is two seconds' worth") + ")");
    return new Vote.Plain(Expr.TRUE, new Selection(1, null, perSecond, null));
  }

  /** Inclusive; the processor's {@code max_spans: 0} means no upper bound. */
  private static Expr spanCount(YamlNode cfg) {
    cfg.requireKeys(Set.of("min_spans", "max_spans"));
    long min = number(cfg, "min_spans", 0);
    long max = number(cfg, "max_spans", 0);
    if (max != 0 && max < min) {
      return Expr.FALSE;
    }
    return Expr.of(new Condition.SpanCount((int) Math.max(0, min), max == 0 ? Integer.MAX_VALUE : (int) max));
  }

  private static Expr traceState(YamlNode cfg) {
    cfg.requireKeys(Set.of("key", "values"));
    String key = text(cfg, "key");
    // The processor ignores empty values and entries too long for a tracestate (256 characters).
    Set<String> values = strings(cfg, "values").stream()
        .filter(v -> !v.isEmpty() && key.length() + v.length() < 256)
        .collect(Collectors.toCollection(LinkedHashSet::new));
    return values.isEmpty() ? Expr.FALSE : Expr.of(new Condition.TraceState(key, new ValueMatch.In(values)));
  }

  private static Vote bool(YamlNode cfg, List<String> notes) {
    cfg.requireKeys(Set.of("key", "value", "invert_match"));
    String key = text(cfg, "key");
    boolean value = flag(cfg, "value");
    if (!value) {
      notes.add("matches boolean false only; the processor also reads a non-boolean value of the "
          + "key as false");
    }
    Expr matched = attribute(key, new ValueMatch.Bool(value));
    return flag(cfg, "invert_match") ? new Vote.Inverted(matched) : new Vote.Plain(matched, Selection.ALL);
  }

  private static Vote ottl(YamlNode cfg, List<String> notes) {
    cfg.requireKeys(Set.of("error_mode", "span", "spanevent"));
    List<String> span = cfg.get("span").map(n -> strings(cfg, "span")).orElse(List.of());
    List<String> events = cfg.get("spanevent").map(n -> strings(cfg, "spanevent")).orElse(List.of());
    if (span.isEmpty() && events.isEmpty()) {
      throw new Untranslatable(cfg, "an ottl_condition needs 'span' or 'spanevent' conditions");
    }
    checkOttl(cfg, "span", OttlParser.Context.SPAN);
    checkOttl(cfg, "spanevent", OttlParser.Context.SPAN_EVENT);
    String errorMode = cfg.get("error_mode").map(YamlNode::scalar).orElse("propagate");
    if (!errorMode.equals("ignore") && !errorMode.equals("silent")) {
      notes.add("error_mode " + errorMode + " has no counterpart: a condition that fails to "
          + "evaluate does not hold");
    }
    return new Vote.Plain(new Expr.Ottl(span, events), Selection.ALL);
  }

  /** Each condition of the list is in tailstream's OTTL subset, or the policy is untranslatable. */
  private static void checkOttl(YamlNode cfg, String key, OttlParser.Context context) {
    YamlNode list = cfg.get(key).orElse(null);
    if (list == null) {
      return;
    }
    for (YamlNode item : list.isScalar() ? List.of(list) : list.items()) {
      try {
        OttlParser.parse(item.scalar(), context);
      } catch (OttlSyntaxException e) {
        throw new Untranslatable(item, "OTTL condition '" + item.scalar() + "' is outside tailstream's "
            + "subset (docs/rules.md): " + e.getMessage());
      }
    }
  }

  /**
   * {@code and}: NotSampled as soon as a sub-policy is NotSampled or "inverted not sampled";
   * Sampled otherwise. So an inverted sub-policy is a plain condition here: its key not matched.
   */
  private static Vote and(YamlNode policy, YamlNode cfg, List<String> notes) {
    cfg.requireKeys(Set.of("and_sub_policy"));
    Conjunction c = conjunction(policy, cfg, "and_sub_policy", notes);
    return new Vote.Plain(c.when(), c.selection());
  }

  /** {@code drop}: Dropped when every sub-policy samples, NotSampled otherwise. */
  private static Vote drop(YamlNode policy, YamlNode cfg, List<String> notes) {
    cfg.requireKeys(Set.of("drop_sub_policy"));
    Conjunction c = conjunction(policy, cfg, "drop_sub_policy", notes);
    if (!c.selection().all()) {
      throw new Untranslatable(policy, "a drop policy with a probabilistic or limiting sub-policy "
          + "drops a share of traces by chance; tailstream's drop rules have no sample rate");
    }
    return new Vote.Drops(c.when());
  }

  /**
   * {@code not}: Sampled and NotSampled swap; an inverted decision of the sub-policy passes
   * through unchanged, so {@code not} of an inverted policy votes like that policy.
   */
  private static Vote not(YamlNode policy, YamlNode cfg, List<String> notes) {
    cfg.requireKeys(Set.of("not_sub_policy"));
    YamlNode sub = cfg.get("not_sub_policy").orElseThrow(() -> cfg.error("missing 'not_sub_policy'"));
    Vote v = vote(sub, notes);
    if (v instanceof Vote.Inverted) {
      return v;
    }
    if (v instanceof Vote.Plain p && p.selection().all()) {
      return new Vote.Plain(Expr.not(p.when()), Selection.ALL);
    }
    throw new Untranslatable(policy, "'not' of a probabilistic, limiting or drop policy keeps the "
        + "traces a sampler or limiter turned away; tailstream can only negate conditions");
  }

  private record Conjunction(Expr when, Selection selection) {}

  private static Conjunction conjunction(YamlNode policy, YamlNode cfg, String key, List<String> notes) {
    YamlNode list = cfg.get(key).orElseThrow(() -> cfg.error("missing '" + key + "'"));
    List<Expr> whens = new ArrayList<>();
    double rate = 1;
    Rule.RateLimit limit = null;
    double bytes = 0;
    for (YamlNode sub : list.items()) {
      Vote v = vote(sub, notes);
      if (v instanceof Vote.Inverted inv) {
        whens.add(Expr.not(inv.matched()));
      } else if (v instanceof Vote.Plain p) {
        whens.add(p.when());
        rate = Math.min(rate, p.selection().rate());
        if (p.selection().rateLimit() != null) {
          if (limit != null) {
            throw new Untranslatable(sub, "two rate limits in one '" + type(policy) + "'; a rule has one");
          }
          limit = p.selection().rateLimit();
        }
        if (p.selection().bytesPerSecond() > 0) {
          if (bytes > 0) {
            throw new Untranslatable(sub, "two byte limits in one '" + type(policy) + "'; a rule has one");
          }
          bytes = p.selection().bytesPerSecond();
        }
      } else {
        throw new Untranslatable(sub, "a " + type(sub) + " policy cannot be a sub-policy of '"
            + type(policy) + "'");
      }
    }
    if (whens.isEmpty()) {
      throw cfg.error("'" + key + "' needs at least one sub-policy");
    }
    if (rate < 1 && whens.size() > 1) {
      notes.add("the sample rate applies to traces that meet the other sub-policies");
    }
    return new Conjunction(Expr.all(whens), new Selection(rate, limit, bytes, null));
  }

  /** A resource or span attribute passes the test: the processor looks at both. */
  static Expr attribute(String key, ValueMatch match) {
    return attribute(key, match, Condition.Scope.ANY_SPAN);
  }

  /** The same in {@code scope}; Refinery's fields too are span or resource attributes. */
  static Expr attribute(String key, ValueMatch match, Condition.Scope scope) {
    return Expr.any(List.of(Expr.of(new Condition.Attribute(false, key, match, scope)),
        Expr.of(new Condition.Attribute(true, key, match, scope))));
  }

  static String text(YamlNode cfg, String key) {
    return cfg.get(key).map(YamlNode::scalar).orElseThrow(() -> cfg.error("missing '" + key + "'"));
  }

  static List<String> strings(YamlNode cfg, String key) {
    YamlNode node = cfg.get(key).orElseThrow(() -> cfg.error("missing '" + key + "'"));
    if (node.isScalar()) {
      return List.of(node.scalar());
    }
    return node.items().stream().map(YamlNode::scalar).toList();
  }

  /** A boolean option, false when absent; YAML's True/TRUE too, anything else an error. */
  static boolean flag(YamlNode cfg, String key) {
    return cfg.get(key).map(n -> switch (n.scalar().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw n.error("bad value '" + n.scalar() + "' for " + key + ": expected true or false");
    }).orElse(false);
  }

  /** An integer option; YAML's {@code 100_000} is read too, as the Collector reads it. */
  static long number(YamlNode cfg, String key, long fallback) {
    return cfg.get(key).map(n -> {
      try {
        return Long.parseLong(n.scalar().replace("_", "").trim());
      } catch (NumberFormatException e) {
        throw n.error("bad value '" + n.scalar() + "': expected an integer");
      }
    }).orElse(fallback);
  }

  static double decimal(YamlNode n) {
    try {
      return Double.parseDouble(n.scalar().replace("_", "").trim());
    } catch (NumberFormatException e) {
      throw n.error("bad value '" + n.scalar() + "': expected a number");
    }
  }
}
