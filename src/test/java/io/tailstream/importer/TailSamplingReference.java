package io.tailstream.importer;

import io.tailstream.importer.Workload.TResource;
import io.tailstream.importer.Workload.TSpan;
import io.tailstream.importer.Workload.TTrace;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * An evaluator of the tail_sampling processor's documented semantics, written for the test and
 * sharing nothing with the importer: its own YAML reading (snakeyaml-engine's data loading), its
 * own regex engine ({@link java.util.regex}, unanchored find, as Go's MatchString), the final
 * decision as the README orders it (dropped, inverted not sampled, sampled, inverted sampled with
 * no NotSampled, otherwise not sampled).
 *
 * <p>Probabilistic policies read one uniform {@code u} per trace, shared by all of them (the
 * processor hashes the trace id the same way for each, so their choices nest); rate, byte and
 * composite limits are taken to have room (the fixtures set them far above the workload), so
 * they sample every trace that reaches them — except a composite sub-policy with no allocation.
 */
final class TailSamplingReference {
  enum D { SAMPLED, NOT_SAMPLED, INVERT_SAMPLED, INVERT_NOT_SAMPLED, DROPPED }

  private final List<Map<String, Object>> policies;

  @SuppressWarnings("unchecked")
  TailSamplingReference(String collectorYaml, String processor) {
    Map<String, Object> root = (Map<String, Object>) new Load(LoadSettings.builder().build())
        .loadFromString(collectorYaml);
    Map<String, Object> processors = (Map<String, Object>) root.get("processors");
    this.policies = (List<Map<String, Object>>) ((Map<String, Object>) processors.get(processor)).get("policies");
  }

  boolean keeps(TTrace t, double u) {
    boolean dropped = false;
    boolean invertNot = false;
    boolean sampled = false;
    boolean invertSampled = false;
    boolean notSampled = false;
    for (Map<String, Object> p : policies) {
      switch (evaluate(p, t, u)) {
        case DROPPED -> dropped = true;
        case INVERT_NOT_SAMPLED -> invertNot = true;
        case SAMPLED -> sampled = true;
        case INVERT_SAMPLED -> invertSampled = true;
        case NOT_SAMPLED -> notSampled = true;
        default -> throw new IllegalStateException();
      }
    }
    if (dropped || invertNot) {
      return false;
    }
    return sampled || (invertSampled && !notSampled);
  }

  @SuppressWarnings("unchecked")
  private D evaluate(Map<String, Object> p, TTrace t, double u) {
    String type = (String) p.get("type");
    Map<String, Object> c = (Map<String, Object>) p.get(type);
    return switch (type) {
      case "always_sample", "rate_limiting", "bytes_limiting" -> D.SAMPLED;
      case "latency" -> {
        long min = Long.MAX_VALUE;
        long max = 0;
        for (TSpan s : spans(t)) {
          min = Math.min(min, s.startNanos());
          max = Math.max(max, s.endNanos());
        }
        long ms = (max - min) / 1_000_000L;
        long lower = num(c, "threshold_ms", 0);
        long upper = num(c, "upper_threshold_ms", 0);
        yield of(upper == 0 ? ms >= lower : lower < ms && ms <= upper);
      }
      case "numeric_attribute" -> {
        long min = num(c, "min_value", Long.MIN_VALUE);
        long max = num(c, "max_value", Long.MAX_VALUE);
        String key = (String) c.get("key");
        yield attr(t, key, v -> v instanceof Long l && l >= min && l <= max, flag(c, "invert_match"));
      }
      case "probabilistic" -> of(u < ((Number) c.get("sampling_percentage")).doubleValue() / 100);
      case "status_code" -> of(spans(t).stream().anyMatch(s -> ((List<String>) c.get("status_codes")).contains(s.status())));
      case "string_attribute" -> {
        List<String> values = ((List<Object>) c.get("values")).stream().map(String::valueOf).toList();
        Predicate<String> matcher;
        if (flag(c, "enabled_regex_matching")) {
          List<Pattern> patterns = values.stream().map(Pattern::compile).toList();
          matcher = v -> patterns.stream().anyMatch(pt -> pt.matcher(v).find());
        } else {
          matcher = v -> !v.isEmpty() && values.contains(v);
        }
        yield attr(t, (String) c.get("key"), v -> v instanceof String s && !s.isEmpty() && matcher.test(s),
            flag(c, "invert_match"));
      }
      case "span_count" -> {
        int n = t.spanCount();
        long min = num(c, "min_spans", 0);
        long max = num(c, "max_spans", 0);
        yield of(max == 0 ? n >= min : n >= min && n <= max);
      }
      case "trace_state" -> of(spans(t).stream().anyMatch(s -> {
        for (String entry : s.traceState().split(",")) {
          int eq = entry.indexOf('=');
          if (eq > 0 && entry.substring(0, eq).equals(c.get("key"))
              && ((List<Object>) c.get("values")).contains(entry.substring(eq + 1))) {
            return true;
          }
        }
        return false;
      }));
      case "trace_flags" -> of(spans(t).stream().anyMatch(s -> (s.flags() & 1) != 0));
      case "boolean_attribute" -> attr(t, (String) c.get("key"),
          v -> v instanceof Boolean b && b == (Boolean) c.get("value"), flag(c, "invert_match"));
      case "ottl_condition" -> of(ottl(t, c));
      case "and" -> {
        for (Map<String, Object> sub : (List<Map<String, Object>>) c.get("and_sub_policy")) {
          D d = evaluate(sub, t, u);
          if (d == D.NOT_SAMPLED || d == D.INVERT_NOT_SAMPLED) {
            yield D.NOT_SAMPLED;
          }
        }
        yield D.SAMPLED;
      }
      case "drop" -> {
        for (Map<String, Object> sub : (List<Map<String, Object>>) c.get("drop_sub_policy")) {
          D d = evaluate(sub, t, u);
          if (d == D.NOT_SAMPLED || d == D.INVERT_NOT_SAMPLED) {
            yield D.NOT_SAMPLED;
          }
        }
        yield D.DROPPED;
      }
      case "not" -> switch (evaluate((Map<String, Object>) c.get("not_sub_policy"), t, u)) {
        case SAMPLED -> D.NOT_SAMPLED;
        case NOT_SAMPLED -> D.SAMPLED;
        default -> evaluate((Map<String, Object>) c.get("not_sub_policy"), t, u);
      };
      case "composite" -> {
        List<Object> allocated = ((List<Map<String, Object>>) c.getOrDefault("rate_allocation", List.of()))
            .stream().map(a -> a.get("policy")).toList();
        for (Map<String, Object> sub : (List<Map<String, Object>>) c.get("composite_sub_policy")) {
          D d = evaluate(sub, t, u);
          if (d == D.SAMPLED || d == D.INVERT_SAMPLED) {
            yield allocated.contains(sub.get("name")) ? D.SAMPLED : D.NOT_SAMPLED;
          }
        }
        yield D.NOT_SAMPLED;
      }
      default -> throw new IllegalArgumentException("no reference for policy type " + type);
    };
  }

  /** Resource or span attribute; inverted: INVERT_NOT_SAMPLED as soon as one matches. */
  private static D attr(TTrace t, String key, Predicate<Object> test, boolean invert) {
    boolean matched = false;
    for (TResource r : t.resources()) {
      matched |= r.attributes().containsKey(key) && test.test(r.attributes().get(key));
      for (TSpan s : r.spans()) {
        matched |= s.attributes().containsKey(key) && test.test(s.attributes().get(key));
      }
    }
    if (invert) {
      return matched ? D.INVERT_NOT_SAMPLED : D.INVERT_SAMPLED;
    }
    return of(matched);
  }

  /** The two forms the fixtures use: attributes["k"] == "v" on spans, name == "v" on events. */
  @SuppressWarnings("unchecked")
  private static boolean ottl(TTrace t, Map<String, Object> c) {
    Pattern attrEq = Pattern.compile("attributes\\[\"(.+)\"\\] == \"(.*)\"");
    Pattern nameEq = Pattern.compile("name == \"(.*)\"");
    for (TSpan s : spans(t)) {
      for (String cond : (List<String>) c.getOrDefault("span", List.of())) {
        var m = attrEq.matcher(cond);
        if (m.matches() && m.group(2).equals(s.attributes().get(m.group(1)))) {
          return true;
        }
      }
      for (String cond : (List<String>) c.getOrDefault("spanevent", List.of())) {
        var m = nameEq.matcher(cond);
        if (m.matches() && s.events().contains(m.group(1))) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<TSpan> spans(TTrace t) {
    return t.resources().stream().flatMap(r -> r.spans().stream()).toList();
  }

  private static D of(boolean b) {
    return b ? D.SAMPLED : D.NOT_SAMPLED;
  }

  private static boolean flag(Map<String, Object> c, String key) {
    return Boolean.TRUE.equals(c.get(key));
  }

  private static long num(Map<String, Object> c, String key, long fallback) {
    Object v = c.get(key);
    return v == null ? fallback : ((Number) v).longValue();
  }
}
