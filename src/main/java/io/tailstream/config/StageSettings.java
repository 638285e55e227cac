package io.tailstream.config;

import io.tailstream.adapt.StageMap;
import io.tailstream.adapt.StageRule;
import io.tailstream.yaml.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The per-stage latency meters ({@code stages} section): whether they run, the ordered rules
 * that give a span its stage, and the caps on label values and series.
 *
 * @param enabled whether every span is classified and metered
 * @param mapping the rules, first match wins; {@link StageRule#DEFAULTS} when not configured
 * @param maxServices distinct {@code service} label values; later ones are {@code other}
 * @param maxModels distinct {@code model} label values; later ones are {@code other}
 * @param maxSeries label sets in all; later ones share one overflow series per stage
 */
public record StageSettings(boolean enabled, List<StageRule> mapping, int maxServices,
    int maxModels, int maxSeries) {
  private static final Set<String> RULE_KEYS = Set.of("stage", "root", "attribute", "values",
      "service", "span-name");

  public StageSettings {
    mapping = List.copyOf(mapping);
    if (mapping.isEmpty()) {
      throw new IllegalArgumentException("stages.mapping must have at least one rule");
    }
  }

  /**
   * Off by default: metering every span costs about 10% of a keyed instance's CPU (bench, 2026-12-01,
   * keyed vs in-memory 0.75 → 0.68), and the cost tailstream is held to is an in-memory sampler's.
   */
  public static StageSettings defaults() {
    return new StageSettings(false, StageRule.DEFAULTS, 50, 50, 1_000);
  }

  /** The {@code stages.mapping} list; errors name the item's line. */
  static List<StageRule> parseMapping(YamlNode node) {
    if (!node.isList()) {
      throw node.error("expected a list of rules such as { stage: inference, attribute: "
          + "gen_ai.request.model }");
    }
    List<StageRule> rules = new ArrayList<>();
    for (YamlNode item : node.items()) {
      if (!item.isMap()) {
        throw item.error("expected a rule: a mapping with stage and root, attribute, service or span-name");
      }
      item.requireKeys(RULE_KEYS);
      YamlNode stage = item.get("stage").orElseThrow(() -> item.error("a rule needs a stage"));
      boolean root = item.get("root").map(n -> {
        String v = n.scalar();
        if (!v.equals("true") && !v.equals("false")) {
          throw n.error("expected true or false, not '" + v + "'");
        }
        return v.equals("true");
      }).orElse(false);
      try {
        rules.add(new StageRule(stage.scalar(), root, item.get("attribute").map(YamlNode::scalar).orElse(null),
            strings(item, "values"), strings(item, "service"), strings(item, "span-name")));
      } catch (IllegalArgumentException e) {
        throw item.error(e.getMessage());
      }
    }
    if (rules.isEmpty()) {
      throw node.error("expected at least one rule (leave stages.mapping out for the defaults)");
    }
    if (rules.size() > StageMap.MAX_RULES) {
      throw node.error("at most " + StageMap.MAX_RULES + " rules, not " + rules.size());
    }
    return List.copyOf(rules);
  }

  /** One string or a list of them. */
  private static List<String> strings(YamlNode item, String key) {
    return item.get(key).map(n -> n.isList()
        ? n.items().stream().map(YamlNode::scalar).toList() : List.of(n.scalar())).orElse(List.of());
  }
}
