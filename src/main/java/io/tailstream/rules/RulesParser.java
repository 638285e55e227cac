package io.tailstream.rules;

import com.google.re2j.PatternSyntaxException;
import io.tailstream.rules.ottl.OttlParser;
import io.tailstream.rules.ottl.OttlSyntaxException;
import io.tailstream.yaml.Units;
import io.tailstream.yaml.YamlException;
import io.tailstream.yaml.YamlNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a rules file. Every error names the file, line and column, the key path (which includes
 * the rule's position and name), what was found and what is expected, so that
 * {@code tailstream validate} can gate rules changes in CI.
 */
public final class RulesParser {
  public static final String DEFAULT_MODEL_ATTRIBUTE = "gen_ai.request.model";
  /** Longer regexes are refused: RE2 is linear in the input, but its automaton grows with the pattern. */
  public static final int MAX_REGEX_LENGTH = 1024;

  private static final Set<String> TOP_KEYS = Set.of("rules", "default");
  private static final Set<String> RULE_KEYS =
      Set.of("name", "keep", "drop", "sample", "rate-limit", "bytes-limit");
  static final Set<String> CONDITION_KEYS = Set.of("error", "status", "latency", "span-latency",
      "model-inference", "attribute", "resource-attribute", "span-count", "service", "span-name",
      "trace-state", "trace-flags", "root", "ottl", "all-of", "any-of", "not");
  private static final Set<String> MODEL_KEYS = Set.of("attribute", "thresholds", "learned");
  private static final Set<String> LEARNED_KEYS = Set.of("percentile", "window", "min-samples", "factor");
  private static final Set<String> SPAN_LATENCY_KEYS = Set.of("name", "service", "kind", "above");
  private static final Set<String> MATCH_KEYS =
      Set.of("equals", "in", "prefix", "regex", "number", "bool", "exists");
  private static final Set<String> ATTRIBUTE_KEYS = union(MATCH_KEYS, Set.of("key", "scope"));
  private static final Set<String> TRACE_STATE_KEYS = union(MATCH_KEYS, Set.of("key"));
  private static final Set<String> NAMES_KEYS = Set.of("equals", "in", "scope");
  private static final Set<String> STATUS_KEYS = Set.of("codes", "scope");
  private static final Set<String> SPAN_KINDS =
      Set.of("INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER", "UNSPECIFIED");

  private RulesParser() {}

  public static RuleSet load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new YamlException("cannot read rules file " + file + ": " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  public static RuleSet parse(String yaml, String source) {
    YamlNode root = YamlNode.parse(yaml, source);
    if (!root.isMap()) {
      throw root.error("expected a mapping with a 'rules' list");
    }
    root.requireKeys(TOP_KEYS);
    YamlNode list = root.get("rules")
        .orElseThrow(() -> root.error("missing 'rules': a list of rules"));
    boolean defaultKeep = root.get("default").map(n -> switch (n.scalar()) {
      case "keep" -> true;
      case "drop" -> false;
      default -> throw n.error("bad value '" + n.scalar() + "': expected keep or drop");
    }).orElse(false);
    List<Rule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlNode item : list.items()) {
      Rule rule = rule(item);
      if (!names.add(rule.name())) {
        throw item.error("rule name '" + rule.name() + "' is used twice; names must be unique");
      }
      rules.add(rule);
    }
    return new RuleSet(rules, defaultKeep, source, version(yaml), warnings(rules, source));
  }

  /** Legal but probably unintended: rules that can never decide anything. */
  private static List<String> warnings(List<Rule> rules, String source) {
    List<String> out = new ArrayList<>();
    Rule catchAll = null;
    for (Rule r : rules) {
      String where = source + ":" + r.line() + ":" + r.column();
      if (catchAll != null) {
        out.add(where + ": rule '" + r.name() + "' can never fire: rule '" + catchAll.name()
            + "' (line " + catchAll.line() + ") decides every trace before it");
      } else if (r.action() == Rule.Action.KEEP && r.sampleRate() == 0) {
        out.add(where + ": rule '" + r.name() + "' can never fire: its sample rate is 0%");
      }
      if (catchAll == null && r.catchAll()) {
        catchAll = r;
      }
    }
    return out;
  }

  private static String version(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static Rule rule(YamlNode item) {
    if (!item.isMap()) {
      throw item.error("expected a rule: a mapping with 'name' and 'keep', 'drop' or 'sample'");
    }
    item.requireKeys(RULE_KEYS);
    String name = item.get("name").map(YamlNode::scalar).map(String::trim).orElse("");
    if (name.isEmpty()) {
      throw item.error("every rule needs a 'name' (it is reported with each kept trace)");
    }
    if (name.startsWith("boost:") || name.startsWith("stress:")) {
      throw item.error("rule name '" + name + "' starts with a prefix tailstream reports its own "
          + "decisions under ('boost:', 'stress:'); choose another name");
    }
    // Messages name the rule: rules[2](slow).keep.latency
    YamlNode node = item.relabeled(item.path() + "(" + name + ")");
    var keep = node.get("keep");
    var drop = node.get("drop");
    var sample = node.get("sample");
    if (keep.isPresent() && drop.isPresent()) {
      throw node.error("rule '" + name + "' has both 'keep' and 'drop'; use one");
    }
    if (drop.isPresent() && (sample.isPresent() || node.get("rate-limit").isPresent()
        || node.get("bytes-limit").isPresent())) {
      throw node.error("rule '" + name + "': 'sample', 'rate-limit' and 'bytes-limit' apply to "
          + "keep rules, not to 'drop'");
    }
    Rule.Dynamic dynamic = sample.filter(YamlNode::isMap).map(RulesParser::dynamic).orElse(null);
    double rate = sample.filter(n -> !n.isMap()).map(n -> value(n, Units::rate)).orElse(1d);
    Rule.RateLimit rateLimit = node.get("rate-limit").map(RulesParser::rateLimit).orElse(null);
    double bytesPerSecond = node.get("bytes-limit").map(RulesParser::bytesLimit).orElse(0d);
    if (drop.isPresent()) {
      return new Rule(name, Rule.Action.DROP, condition(drop.get()), 1d, null, 0, null, node.line(), node.column());
    }
    if (keep.isEmpty() && sample.isEmpty() && rateLimit == null && bytesPerSecond == 0) {
      throw node.error("rule '" + name + "' needs 'keep', 'drop' or 'sample'");
    }
    Condition condition = keep.map(RulesParser::condition).orElse(null);
    return new Rule(name, Rule.Action.KEEP, condition, rate, rateLimit, bytesPerSecond, dynamic,
        node.line(), node.column());
  }

  /** {@code { dynamic: { key, goal, interval } }} or {@code { throughput: { ... } }}. */
  private static Rule.Dynamic dynamic(YamlNode node) {
    node.requireKeys(Set.of("dynamic", "throughput"));
    if (node.entries().size() != 1) {
      throw node.error("expected one of dynamic or throughput");
    }
    boolean throughput = node.get("throughput").isPresent();
    YamlNode spec = node.get(throughput ? "throughput" : "dynamic").orElseThrow();
    requireMap(spec, "a mapping with 'key' and 'goal'");
    spec.requireKeys(Set.of("key", "goal", "interval"));
    YamlNode keyNode = spec.get("key").orElseThrow(() -> spec.error(
        "missing 'key': attribute names whose values form the sampling key, e.g. [service.name, http.route]"));
    List<String> key = List.copyOf(strings(keyNode));
    YamlNode goalNode = spec.get("goal").orElseThrow(() -> spec.error(throughput
        ? "missing 'goal', e.g. \"200 traces/s\"" : "missing 'goal': the average rate, e.g. 1%"));
    double goal = throughput ? value(goalNode, RulesParser::tracesPerSecond) : value(goalNode, Units::rate);
    if (!(goal > 0)) {
      throw goalNode.error("bad value '" + goalNode.scalar() + "': the goal must be above 0");
    }
    Duration interval = spec.get("interval").map(n -> value(n, s -> {
      Duration d = Units.duration(s);
      if (d.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("expected at least 1s");
      }
      return d;
    })).orElse(Duration.ofSeconds(30));
    return new Rule.Dynamic(throughput, key, goal, interval);
  }

  private static double tracesPerSecond(String text) {
    String t = text.trim();
    if (!t.endsWith("traces/s")) {
      throw new IllegalArgumentException("expected a throughput such as \"200 traces/s\"");
    }
    return Double.parseDouble(t.substring(0, t.length() - "traces/s".length()).trim());
  }

  private static Rule.RateLimit rateLimit(YamlNode node) {
    String text = node.scalar().trim().toLowerCase(Locale.ROOT);
    String allowed = "expected a rate such as \"100 traces/s\" or \"5000 spans/s\"";
    String[] parts = text.split("\\s+");
    if (parts.length != 2 || !(parts[1].equals("traces/s") || parts[1].equals("spans/s"))) {
      throw node.error("bad value '" + node.scalar() + "': " + allowed);
    }
    double n;
    try {
      n = Double.parseDouble(parts[0]);
    } catch (NumberFormatException e) {
      throw node.error("bad value '" + node.scalar() + "': " + allowed);
    }
    if (!(n > 0)) {
      throw node.error("bad value '" + node.scalar() + "': the rate must be above 0");
    }
    return new Rule.RateLimit(n, parts[1].equals("spans/s"));
  }

  private static double bytesLimit(YamlNode node) {
    String text = node.scalar().trim();
    if (!text.endsWith("/s")) {
      throw node.error("bad value '" + text + "': expected bytes per second such as \"1MiB/s\"");
    }
    long bytes = value(node, s -> Units.bytes(s.substring(0, s.length() - 2)));
    if (bytes <= 0) {
      throw node.error("bad value '" + text + "': the rate must be above 0");
    }
    return bytes;
  }

  static Condition condition(YamlNode node) {
    if (!node.isMap() || node.entries().isEmpty()) {
      throw node.error("expected conditions: a mapping with one or more of "
          + String.join(", ", new java.util.TreeSet<>(CONDITION_KEYS)));
    }
    node.requireKeys(CONDITION_KEYS);
    List<Condition> all = new ArrayList<>();
    node.entries().forEach((key, value) -> all.add(switch (key) {
      case "error" -> new Condition.Error(bool(value));
      case "root" -> new Condition.Root(switch (value.scalar().trim()) {
        case "present" -> true;
        case "missing" -> false;
        default -> throw value.error("bad value '" + value.scalar() + "': expected present or missing");
      });
      case "status" -> status(value);
      case "latency" -> new Condition.Latency(value(value, DurationRange::parse));
      case "span-latency" -> spanLatency(value);
      case "model-inference" -> modelInference(value);
      case "attribute" -> attribute(value, false);
      case "resource-attribute" -> attribute(value, true);
      case "span-count" -> spanCount(value);
      case "service" -> names(value, (names, scope) -> new Condition.Service(names, scope));
      case "span-name" -> names(value, (names, scope) -> new Condition.SpanName(names, scope));
      case "trace-state" -> traceState(value);
      case "ottl" -> ottl(value);
      case "trace-flags" -> {
        requireMap(value, "a mapping, e.g. { sampled: true }");
        value.requireKeys(Set.of("sampled"));
        yield new Condition.TraceFlags(bool(value.get("sampled")
            .orElseThrow(() -> value.error("missing 'sampled': true or false"))));
      }
      case "all-of" -> new Condition.AllOf(conditions(value));
      case "any-of" -> new Condition.AnyOf(conditions(value));
      case "not" -> new Condition.Not(condition(value));
      // requireKeys let only CONDITION_KEYS through: a key here without a case is a bug, not "not".
      default -> throw new IllegalStateException("condition key '" + key + "' has no parser");
    }));
    return all.size() == 1 ? all.get(0) : new Condition.AllOf(all);
  }

  private static List<Condition> conditions(YamlNode node) {
    List<YamlNode> items = node.items();
    if (items.isEmpty()) {
      throw node.error("expected a non-empty list of conditions");
    }
    return items.stream().map(RulesParser::condition).toList();
  }

  /** {@code ['cond', …]} (the span list) or {@code { span: [...], spanevent: [...] }}. */
  private static Condition ottl(YamlNode node) {
    List<Condition.OttlCondition> all = new ArrayList<>();
    if (node.isMap()) {
      node.requireKeys(Set.of("span", "spanevent"));
      node.get("span").ifPresent(list -> all.addAll(ottlList(list, OttlParser.Context.SPAN)));
      node.get("spanevent").ifPresent(list -> all.addAll(ottlList(list, OttlParser.Context.SPAN_EVENT)));
    } else {
      all.addAll(ottlList(node, OttlParser.Context.SPAN));
    }
    if (all.isEmpty()) {
      throw node.error("expected OTTL conditions: a list, or 'span' and/or 'spanevent' lists,"
          + " e.g. ottl: [ 'attributes[\"http.status_code\"] >= 500' ]");
    }
    return new Condition.Ottl(all);
  }

  private static List<Condition.OttlCondition> ottlList(YamlNode node, OttlParser.Context context) {
    List<YamlNode> items = node.isScalar() ? List.of(node) : node.items();
    List<Condition.OttlCondition> out = new ArrayList<>();
    for (YamlNode item : items) {
      String source = item.scalar();
      try {
        out.add(new Condition.OttlCondition(source, context, OttlParser.parse(source, context)));
      } catch (OttlSyntaxException e) {
        throw item.error("OTTL condition '" + source + "': " + e.getMessage());
      }
    }
    return out;
  }

  private static Condition status(YamlNode node) {
    Set<String> codes;
    Condition.Scope scope = Condition.Scope.ANY_SPAN;
    if (node.isMap()) {
      node.requireKeys(STATUS_KEYS);
      YamlNode codesNode = node.get("codes").orElseThrow(() -> node.error("missing 'codes'"));
      codes = strings(codesNode);
      scope = node.get("scope").map(RulesParser::scope).orElse(scope);
    } else {
      codes = strings(node);
    }
    for (String code : codes) {
      if (!Condition.Status.CODES.contains(code)) {
        throw node.error("bad status '" + code + "': expected UNSET, OK or ERROR");
      }
    }
    return new Condition.Status(codes, scope);
  }

  private static Condition spanLatency(YamlNode node) {
    requireMap(node, "a mapping with 'above' and any of 'name', 'service', 'kind'");
    node.requireKeys(SPAN_LATENCY_KEYS);
    YamlNode above = node.get("above").orElseThrow(() -> node.error(
        "missing 'above': the stage's limit, e.g. { name: inference, above: 300ms }"));
    String kind = node.get("kind").map(k -> {
      String upper = k.scalar().toUpperCase(Locale.ROOT).replace("SPAN_KIND_", "");
      if (!SPAN_KINDS.contains(upper)) {
        throw k.error("bad value '" + k.scalar() + "': expected one of " + new java.util.TreeSet<>(SPAN_KINDS));
      }
      return upper;
    }).orElse(null);
    return new Condition.SpanLatency(node.get("name").map(YamlNode::scalar).orElse(null),
        node.get("service").map(YamlNode::scalar).orElse(null), kind,
        value(above, s -> Units.duration(s).toNanos()));
  }

  private static Condition modelInference(YamlNode node) {
    requireMap(node, "a mapping with 'thresholds' and/or 'learned' (and optionally 'attribute')");
    node.requireKeys(MODEL_KEYS);
    String attribute = node.get("attribute").map(YamlNode::scalar).orElse(DEFAULT_MODEL_ATTRIBUTE);
    Map<String, Long> perModel = new LinkedHashMap<>();
    long defaultNanos = 0;
    var thresholds = node.get("thresholds");
    if (thresholds.isPresent()) {
      for (Map.Entry<String, YamlNode> e : thresholds.get().entries().entrySet()) {
        long nanos = value(e.getValue(), s -> Units.duration(s).toNanos());
        if (e.getKey().equals("default")) {
          defaultNanos = nanos;
        } else {
          perModel.put(e.getKey(), nanos);
        }
      }
    }
    Condition.Learned learned = node.get("learned").map(RulesParser::learned).orElse(null);
    if (perModel.isEmpty() && defaultNanos <= 0 && learned == null) {
      throw node.error("no thresholds: give 'thresholds' (model name or 'default' to a duration, "
          + "e.g. { ranker-v3: 800ms, default: 1500ms }) or 'learned'");
    }
    return new Condition.ModelInference(attribute, perModel, defaultNanos, learned);
  }

  private static Condition.Learned learned(YamlNode node) {
    requireMap(node, "a mapping with percentile, window, min-samples, factor");
    node.requireKeys(LEARNED_KEYS);
    double percentile = node.get("percentile").map(n -> value(n, s -> {
      double p = Double.parseDouble(s);
      if (!(p > 0 && p < 100)) {
        throw new IllegalArgumentException("expected a percentile above 0 and below 100, such as 99 or 99.9");
      }
      return p;
    })).orElse(99d);
    Duration window = node.get("window").map(n -> value(n, s -> {
      Duration d = Units.duration(s);
      if (d.compareTo(Duration.ofMinutes(1)) < 0 || d.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("expected a window from 1m to 24h");
      }
      return d;
    })).orElse(Duration.ofMinutes(15));
    int minSamples = node.get("min-samples").map(n -> value(n, s -> {
      int v = Integer.parseInt(s.trim());
      if (v < 1) {
        throw new IllegalArgumentException("expected an integer of at least 1");
      }
      return v;
    })).orElse(200);
    double factor = node.get("factor").map(n -> value(n, s -> {
      double f = Double.parseDouble(s);
      if (!(f > 0 && f <= 100)) {
        throw new IllegalArgumentException("expected a factor above 0, such as 1.2");
      }
      return f;
    })).orElse(1d);
    return new Condition.Learned(percentile, window, minSamples, factor);
  }

  private static Condition attribute(YamlNode node, boolean resource) {
    requireMap(node, "a mapping with 'key' and one of " + MATCH_KEYS);
    node.requireKeys(ATTRIBUTE_KEYS);
    String key = node.get("key").map(YamlNode::scalar)
        .orElseThrow(() -> node.error("missing 'key': the attribute's name"));
    Condition.Scope scope = node.get("scope").map(RulesParser::scope).orElse(Condition.Scope.ANY_SPAN);
    return new Condition.Attribute(resource, key, match(node), scope);
  }

  private static Condition traceState(YamlNode node) {
    requireMap(node, "a mapping with 'key' and one of " + MATCH_KEYS);
    node.requireKeys(TRACE_STATE_KEYS);
    String key = node.get("key").map(YamlNode::scalar)
        .orElseThrow(() -> node.error("missing 'key': a tracestate entry's key, e.g. ot or a vendor"));
    ValueMatch match = match(node);
    if (match instanceof ValueMatch.Number || match instanceof ValueMatch.Bool) {
      throw node.error("tracestate values are strings: use equals, in, prefix, regex or exists");
    }
    return new Condition.TraceState(key, match);
  }

  /** Exactly one of the value tests. */
  private static ValueMatch match(YamlNode node) {
    List<String> given = node.entries().keySet().stream().filter(MATCH_KEYS::contains).toList();
    if (given.size() != 1) {
      throw node.error("expected exactly one of equals, in, prefix, regex, number, bool, exists; found "
          + (given.isEmpty() ? "none" : String.join(", ", given)));
    }
    YamlNode v = node.get(given.get(0)).orElseThrow();
    return switch (given.get(0)) {
      case "equals" -> new ValueMatch.Equals(v.scalar());
      case "in" -> new ValueMatch.In(strings(v));
      case "prefix" -> new ValueMatch.Prefix(v.scalar());
      case "regex" -> {
        if (v.scalar().length() > MAX_REGEX_LENGTH) {
          throw v.error("regex of " + v.scalar().length() + " characters; at most " + MAX_REGEX_LENGTH);
        }
        try {
          com.google.re2j.Pattern.compile(v.scalar());
        } catch (PatternSyntaxException e) {
          throw v.error("bad regex '" + v.scalar() + "': " + e.getMessage() + " (RE2 syntax)");
        }
        yield new ValueMatch.Regex(v.scalar());
      }
      case "number" -> new ValueMatch.Number(value(v, NumberRange::parse));
      case "bool" -> new ValueMatch.Bool(bool(v));
      default -> new ValueMatch.Exists(bool(v));
    };
  }

  private static Condition spanCount(YamlNode node) {
    requireMap(node, "a mapping with 'min' and/or 'max'");
    node.requireKeys(Set.of("min", "max"));
    int min = node.get("min").map(n -> value(n, RulesParser::nonNegativeInt)).orElse(0);
    int max = node.get("max").map(n -> value(n, RulesParser::nonNegativeInt)).orElse(Integer.MAX_VALUE);
    if (node.entries().isEmpty()) {
      throw node.error("expected 'min' and/or 'max'");
    }
    if (min > max) {
      throw node.error("min (" + min + ") is above max (" + max + ")");
    }
    return new Condition.SpanCount(min, max);
  }

  private interface NamesFactory {
    Condition create(Set<String> names, Condition.Scope scope);
  }

  /** {@code x}, {@code [x, y]} or {@code { in: [x, y], scope: root }}. */
  private static Condition names(YamlNode node, NamesFactory factory) {
    if (!node.isMap()) {
      return factory.create(strings(node), Condition.Scope.ANY_SPAN);
    }
    node.requireKeys(NAMES_KEYS);
    Set<String> names = node.get("in").map(RulesParser::strings)
        .or(() -> node.get("equals").map(n -> Set.of(n.scalar())))
        .orElseThrow(() -> node.error("expected 'in' (a list) or 'equals'"));
    return factory.create(names, node.get("scope").map(RulesParser::scope).orElse(Condition.Scope.ANY_SPAN));
  }

  private static Condition.Scope scope(YamlNode node) {
    return switch (node.scalar()) {
      case "any-span" -> Condition.Scope.ANY_SPAN;
      case "root" -> Condition.Scope.ROOT;
      case "all-spans" -> Condition.Scope.ALL_SPANS;
      default -> throw node.error("bad value '" + node.scalar() + "': expected any-span, root or all-spans");
    };
  }

  private static Set<String> strings(YamlNode node) {
    if (node.isScalar()) {
      return Set.of(node.scalar());
    }
    Set<String> out = new LinkedHashSet<>();
    for (YamlNode item : node.items()) {
      out.add(item.scalar());
    }
    if (out.isEmpty()) {
      throw node.error("expected at least one value");
    }
    return out;
  }

  private static void requireMap(YamlNode node, String expected) {
    if (!node.isMap()) {
      throw node.error("expected " + expected);
    }
  }

  private static int nonNegativeInt(String s) {
    int v = Integer.parseInt(s.trim());
    if (v < 0) {
      throw new IllegalArgumentException("expected an integer of at least 0");
    }
    return v;
  }

  /** Parses a scalar; a parser's {@link IllegalArgumentException} becomes a located error. */
  private static <T> T value(YamlNode node, Function<String, T> parser) {
    String text = node.scalar();
    try {
      return parser.apply(text);
    } catch (NumberFormatException e) {
      throw node.error("bad value '" + text + "': expected a number");
    } catch (IllegalArgumentException e) {
      throw node.error("bad value '" + text + "': " + e.getMessage());
    }
  }

  private static boolean bool(YamlNode node) {
    return switch (node.scalar()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw node.error("bad value '" + node.scalar() + "': expected true or false");
    };
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new HashSet<>(a);
    out.addAll(b);
    return Set.copyOf(out);
  }
}
