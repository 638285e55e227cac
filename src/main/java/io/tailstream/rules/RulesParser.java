package io.tailstream.rules;

import io.tailstream.yaml.Units;
import io.tailstream.yaml.YamlNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a rules file. Every error names the file, the line, the rule and what is allowed, so that
 * {@code tailstream validate} can be run in CI before a rules change ships.
 */
public final class RulesParser {
  public static final String DEFAULT_MODEL_ATTRIBUTE = "gen_ai.request.model";

  private static final Set<String> TOP_KEYS = Set.of("rules");
  private static final Set<String> RULE_KEYS = Set.of("name", "keep", "drop", "sample");
  private static final Set<String> CONDITION_KEYS = Set.of("error", "latency", "model-inference");
  private static final Set<String> MODEL_KEYS = Set.of("attribute", "thresholds");

  private RulesParser() {}

  public static RuleSet load(Path file) {
    return parse(YamlNode.load(file));
  }

  public static RuleSet parse(String yaml, String source) {
    return parse(YamlNode.parse(yaml, source));
  }

  private static RuleSet parse(YamlNode root) {
    if (!root.isMap()) {
      throw root.error("expected a mapping with a 'rules' list");
    }
    root.requireKeys(TOP_KEYS);
    YamlNode list = root.get("rules")
        .orElseThrow(() -> root.error("missing 'rules': a list of rules"));
    List<Rule> rules = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (YamlNode item : list.items()) {
      Rule rule = rule(item);
      if (!names.add(rule.name())) {
        throw item.error("rule name '" + rule.name() + "' is used twice; names must be unique");
      }
      rules.add(rule);
    }
    return new RuleSet(rules, root.source());
  }

  private static Rule rule(YamlNode node) {
    if (!node.isMap()) {
      throw node.error("expected a rule: a mapping with 'name' and 'keep', 'drop' or 'sample'");
    }
    node.requireKeys(RULE_KEYS);
    String name = node.get("name").map(YamlNode::scalar).map(String::trim).orElse("");
    if (name.isEmpty()) {
      throw node.error("every rule needs a 'name' (it is reported with each kept trace)");
    }
    var keep = node.get("keep");
    var drop = node.get("drop");
    var sample = node.get("sample");
    if (keep.isPresent() && drop.isPresent()) {
      throw node.error("rule '" + name + "' has both 'keep' and 'drop'; use one");
    }
    if (drop.isPresent() && sample.isPresent()) {
      throw node.error("rule '" + name + "' has both 'drop' and 'sample'; sample only applies to keep");
    }
    double rate = sample.map(RulesParser::rate).orElse(1d);
    if (keep.isPresent()) {
      return new Rule(name, Rule.Action.KEEP, condition(keep.get()), rate, node.line());
    }
    if (drop.isPresent()) {
      return new Rule(name, Rule.Action.DROP, condition(drop.get()), 1d, node.line());
    }
    if (sample.isPresent()) {
      return new Rule(name, Rule.Action.KEEP, null, rate, node.line());
    }
    throw node.error("rule '" + name + "' needs 'keep', 'drop' or 'sample'");
  }

  private static double rate(YamlNode node) {
    try {
      return Units.rate(node.scalar());
    } catch (IllegalArgumentException e) {
      throw node.error("bad value '" + node.scalar() + "': " + e.getMessage());
    }
  }

  private static Condition condition(YamlNode node) {
    if (!node.isMap() || node.entries().isEmpty()) {
      throw node.error("expected conditions, a mapping with one or more of "
          + String.join(", ", CONDITION_KEYS));
    }
    node.requireKeys(CONDITION_KEYS);
    List<Condition> all = new ArrayList<>();
    node.entries().forEach((key, value) -> all.add(switch (key) {
      case "error" -> new Condition.Error(bool(value));
      case "latency" -> new Condition.Latency(durationRange(value));
      default -> modelInference(value);
    }));
    return all.size() == 1 ? all.get(0) : new Condition.AllOf(all);
  }

  private static Condition modelInference(YamlNode node) {
    if (!node.isMap()) {
      throw node.error("expected a mapping with 'thresholds' (and optionally 'attribute')");
    }
    node.requireKeys(MODEL_KEYS);
    String attribute = node.get("attribute").map(YamlNode::scalar).orElse(DEFAULT_MODEL_ATTRIBUTE);
    YamlNode thresholds = node.get("thresholds")
        .orElseThrow(() -> node.error("missing 'thresholds': model name to duration, "
            + "e.g. { ranker-v3: 800ms, default: 1500ms }"));
    Map<String, Long> perModel = new LinkedHashMap<>();
    long defaultNanos = 0;
    for (Map.Entry<String, YamlNode> e : thresholds.entries().entrySet()) {
      long nanos;
      try {
        nanos = Units.duration(e.getValue().scalar()).toNanos();
      } catch (IllegalArgumentException ex) {
        throw e.getValue().error("bad value '" + e.getValue().scalar() + "': " + ex.getMessage());
      }
      if (e.getKey().equals("default")) {
        defaultNanos = nanos;
      } else {
        perModel.put(e.getKey(), nanos);
      }
    }
    if (perModel.isEmpty() && defaultNanos <= 0) {
      throw thresholds.error("no thresholds: give at least one model or 'default'");
    }
    return new Condition.ModelInference(attribute, perModel, defaultNanos);
  }

  private static DurationRange durationRange(YamlNode node) {
    try {
      return DurationRange.parse(node.scalar());
    } catch (IllegalArgumentException e) {
      throw node.error("bad value '" + node.scalar() + "': " + e.getMessage());
    }
  }

  private static boolean bool(YamlNode node) {
    return switch (node.scalar()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw node.error("bad value '" + node.scalar() + "': expected true or false");
    };
  }
}
