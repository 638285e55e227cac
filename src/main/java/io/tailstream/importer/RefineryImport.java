package io.tailstream.importer;

import io.tailstream.rules.Rule;
import io.tailstream.yaml.YamlException;
import io.tailstream.yaml.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates a Refinery rules file ({@code RulesVersion: 2}) into one tailstream rules file per
 * target (environment or dataset; {@code __default__} for the rest). Pure: YAML in,
 * {@link Imported}s out.
 *
 * <h2>Refinery's rules decide even when they sample out</h2>
 * A {@code RulesBasedSampler} rule that matches decides the trace: with {@code SampleRate: 10}
 * nine traces in ten are dropped by that rule. A sampled tailstream keep rule passes the traces
 * it does not select on to the next rule, so each sampled Refinery rule becomes a keep rule
 * followed by a drop rule on the same condition. {@code SampleRate: N} keeps with probability
 * 1/N; {@code Drop: true} drops; a downstream {@code Sampler} becomes tailstream's dynamic sampler
 * where one exists. A trace no rule matches is kept (Refinery's sample rate 1).
 *
 * <p>Refinery's dynamic samplers key on fields of any span; tailstream's read the root span (then
 * its resource). The EMA dynamic sampler maps onto tailstream's dynamic sampler (EMA weight 0.5,
 * log10 spread of the budget, as Refinery's does); the throughput samplers have no counterpart:
 * their goal counts spans per second and tailstream's counts traces.
 */
public final class RefineryImport {
  static final String DEFAULT_TARGET = "__default__";
  private static final Set<String> SAMPLERS = Set.of("DeterministicSampler", "RulesBasedSampler",
      "DynamicSampler", "EMADynamicSampler", "EMAThroughputSampler", "WindowedThroughputSampler",
      "TotalThroughputSampler");

  private RefineryImport() {}

  /**
   * @return one import per target, {@code __default__} first
   * @throws YamlException naming the file, line, rule and why, for what cannot be translated
   */
  public static Map<String, Imported> translate(YamlNode root, boolean bestEffort) {
    if (!root.isMap()) {
      throw root.error("expected a Refinery rules file: RulesVersion and Samplers");
    }
    YamlNode version = root.get("RulesVersion").orElseThrow(() -> root.error(
        "no RulesVersion: this reads Refinery 2 rules files (convert older ones with Refinery's "
            + "convert tool)"));
    if (!version.scalar().equals("2")) {
      throw version.error("RulesVersion " + version.scalar() + ": this reads version 2");
    }
    YamlNode samplers = root.get("Samplers").orElseThrow(() -> root.error("no 'Samplers'"));
    if (samplers.get(DEFAULT_TARGET).isEmpty()) {
      throw samplers.error("no " + DEFAULT_TARGET + " target: Refinery requires one");
    }
    Map<String, Imported> out = new LinkedHashMap<>();
    out.put(DEFAULT_TARGET, target(DEFAULT_TARGET, samplers.get(DEFAULT_TARGET).orElseThrow(), bestEffort));
    samplers.entries().forEach((target, node) -> {
      if (!target.equals(DEFAULT_TARGET)) {
        out.put(target, target(target, node, bestEffort));
      }
    });
    return out;
  }

  private static Imported target(String target, YamlNode choice, boolean bestEffort) {
    choice.requireKeys(SAMPLERS);
    if (choice.entries().size() != 1) {
      throw choice.error("target '" + target + "' needs exactly one sampler");
    }
    var entry = choice.entries().entrySet().iterator().next();
    String kind = entry.getKey();
    YamlNode cfg = entry.getValue();
    List<String> warnings = new ArrayList<>();
    List<ImportedRule> rules = new ArrayList<>();
    boolean defaultKeep = false;
    String defaultComment = "traces the sampler does not select are dropped";
    List<String> comments = new ArrayList<>(List.of("from " + kind + " of target '" + target + "' ("
        + cfg.location() + ")"));
    try {
      if (kind.equals("RulesBasedSampler")) {
        rulesBased(cfg, bestEffort, rules, warnings);
        defaultKeep = true;
        defaultComment = "Refinery keeps traces no rule matches (sample rate 1)";
      } else {
        rules.add(ImportedRule.keep(kind, comments, Expr.TRUE, sampler(kind, cfg, comments)));
      }
    } catch (Untranslatable u) {
      String message = "target '" + target + "' (" + kind + ") cannot be translated: " + u.getMessage();
      if (!bestEffort) {
        throw u.node().error(message);
      }
      warnings.add(u.node().location() + ": " + message + "; written commented out");
      rules.add(ImportedRule.keep(kind, comments, Expr.TRUE, Selection.ALL).disabled(u.getMessage()));
    }
    List<String> header = List.of("Imported from Refinery rules " + cfg.source() + ", target '"
        + target + "'" + (target.equals(DEFAULT_TARGET) ? " (every environment not listed)" : "") + ".",
        "Refinery's sample rate N keeps 1 trace in N; a rule that matches decides, so each sampled",
        "rule is followed by a drop rule on the same condition.");
    return new Imported(RuleNames.unique(rules), defaultKeep, defaultComment, header, List.of(), warnings);
  }

  private static void rulesBased(YamlNode cfg, boolean bestEffort, List<ImportedRule> rules,
      List<String> warnings) {
    cfg.requireKeys(Set.of("Rules", "CheckNestedFields"));
    if (CollectorPolicies.flag(cfg, "CheckNestedFields")) {
      warnings.add(cfg.location() + ": CheckNestedFields is not translated: tailstream reads "
          + "attributes by their full key");
    }
    List<YamlNode> list = cfg.get("Rules").map(YamlNode::items).orElse(List.of());
    for (int i = 0; i < list.size(); i++) {
      YamlNode rule = list.get(i);
      String name = rule.get("Name").map(YamlNode::scalar).orElse("rule " + (i + 1));
      List<String> comments = new ArrayList<>(List.of("from rule '" + name + "' (" + rule.location() + ")"));
      try {
        rules.addAll(rule(rule, name, comments));
      } catch (Untranslatable u) {
        String message = "rule '" + name + "' cannot be translated: " + u.getMessage();
        if (!bestEffort) {
          throw u.node().error(message);
        }
        warnings.add(u.node().location() + ": " + message + "; written commented out");
        rules.add(ImportedRule.keep(name, comments, Expr.TRUE, Selection.ALL).disabled(u.getMessage()));
      }
    }
  }

  private static List<ImportedRule> rule(YamlNode rule, String name, List<String> comments) {
    rule.requireKeys(Set.of("Name", "SampleRate", "Drop", "Scope", "Conditions", "Sampler"));
    Expr when = conditions(rule, comments);
    if (when == Expr.FALSE) {
      return List.of();
    }
    YamlNode sampler = rule.get("Sampler").orElse(null);
    Selection selection;
    if (sampler != null) {
      sampler.requireKeys(SAMPLERS);
      var e = sampler.entries().entrySet().iterator().next();
      if (e.getKey().equals("RulesBasedSampler")) {
        throw new Untranslatable(sampler, "a downstream RulesBasedSampler is not a Refinery option");
      }
      selection = sampler(e.getKey(), e.getValue(), comments);
    } else if (CollectorPolicies.flag(rule, "Drop")) {
      return List.of(ImportedRule.drop(name, comments, when == Expr.TRUE ? CollectorImport.ALWAYS : when));
    } else {
      selection = Selection.rate(rate(rule.get("SampleRate").orElse(null)));
    }
    List<ImportedRule> out = new ArrayList<>();
    out.add(ImportedRule.keep(name, comments, when, selection));
    if (!selection.all()) {
      // A tailstream keep that does not select passes the trace on; a Refinery rule decides it.
      out.add(ImportedRule.drop(name + " (not selected)", List.of("the traces rule '" + name
          + "' matched but did not select: in Refinery that rule decides them"),
          when == Expr.TRUE ? CollectorImport.ALWAYS : when));
    }
    return out;
  }

  private static Expr conditions(YamlNode rule, List<String> notes) {
    YamlNode node = rule.get("Conditions").orElse(null);
    List<YamlNode> conds = node == null ? List.of() : node.isMap() ? List.of(node) : node.items();
    boolean spanScope = rule.get("Scope").map(s -> switch (s.scalar()) {
      case "span" -> true;
      case "trace" -> false;
      default -> throw s.error("bad Scope '" + s.scalar() + "': expected trace or span");
    }).orElse(false);
    boolean onRoot = false;
    if (spanScope && conds.size() > 1) {
      for (YamlNode c : conds) {
        if (RefineryConditions.operator(c).equals("has-root-span")) {
          throw new Untranslatable(c, "has-root-span with Scope: span fails evaluation in Refinery, "
              + "which skips the rule");
        }
      }
      onRoot = conds.stream().anyMatch(RefineryConditions::selectsRoot);
      boolean allRoot = conds.stream().allMatch(c -> c.get("Field").map(f -> f.scalar().startsWith("root."))
          .orElse(false));
      if (!onRoot && !allRoot) {
        throw new Untranslatable(rule, "Scope: span needs all conditions to hold on one span; "
            + "tailstream can require that only of the root span (add 'trace.parent_id "
            + "not-exists' if the rule is about roots)");
      }
    }
    List<Expr> all = new ArrayList<>();
    for (YamlNode c : conds) {
      all.add(RefineryConditions.of(c, onRoot, notes));
    }
    return Expr.all(all);
  }

  /** A sampler (a target's, or a rule's downstream one) as the selection of a keep rule. */
  private static Selection sampler(String kind, YamlNode cfg, List<String> notes) {
    return switch (kind) {
      case "DeterministicSampler" -> {
        cfg.requireKeys(Set.of("SampleRate"));
        yield Selection.rate(rate(cfg.get("SampleRate").orElse(null)));
      }
      case "DynamicSampler" -> {
        cfg.requireKeys(Set.of("SampleRate", "ClearFrequency", "FieldList", "MaxKeys", "UseTraceLength"));
        notes.add("DynamicSampler averages over each ClearFrequency; tailstream's dynamic sampler "
            + "smooths counts across intervals (EMA, weight 0.5)");
        yield dynamic(cfg, "SampleRate", "ClearFrequency", Duration.ofSeconds(30), notes);
      }
      case "EMADynamicSampler" -> {
        cfg.requireKeys(Set.of("GoalSampleRate", "AdjustmentInterval", "Weight", "AgeOutValue",
            "BurstMultiple", "BurstDetectionDelay", "FieldList", "MaxKeys", "UseTraceLength"));
        cfg.get("Weight").filter(w -> CollectorPolicies.decimal(w) != 0.5).ifPresent(w ->
            notes.add("Weight " + w.scalar() + " is not used: tailstream's EMA weight is 0.5"));
        if (cfg.get("BurstMultiple").isPresent() || cfg.get("BurstDetectionDelay").isPresent()) {
          notes.add("burst detection is not translated: tailstream recomputes at each interval");
        }
        yield dynamic(cfg, "GoalSampleRate", "AdjustmentInterval", Duration.ofSeconds(15), notes);
      }
      case "EMAThroughputSampler", "WindowedThroughputSampler", "TotalThroughputSampler" ->
          throw new Untranslatable(cfg, kind + "'s GoalThroughputPerSec counts spans (events) per "
              + "second; tailstream's throughput sampler counts traces per second, and the spans per "
              + "trace of your traffic are not in the rules file");
      default -> throw new Untranslatable(cfg, "a " + kind + " cannot be a downstream sampler");
    };
  }

  private static Selection dynamic(YamlNode cfg, String rateKey, String intervalKey,
      Duration defaultInterval, List<String> notes) {
    if (CollectorPolicies.flag(cfg, "UseTraceLength")) {
      throw new Untranslatable(cfg, "UseTraceLength: tailstream's sampling key is made of "
          + "attributes only, not the trace's length");
    }
    List<String> key = new ArrayList<>();
    boolean anySpan = false;
    for (YamlNode f : cfg.get("FieldList").orElseThrow(() -> cfg.error("missing 'FieldList'")).items()) {
      String field = f.scalar();
      anySpan |= !field.startsWith("root.");
      key.add(field.startsWith("root.") ? field.substring(5) : field);
    }
    if (anySpan) {
      notes.add("the key's fields are read from the root span (then its resource); Refinery "
          + "combines the values of every span");
    }
    cfg.get("MaxKeys").ifPresent(m -> notes.add("MaxKeys is not used"));
    Duration interval = cfg.get(intervalKey).map(CollectorSettings::duration).orElse(defaultInterval);
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      interval = Duration.ofSeconds(1);
    }
    double goal = rate(cfg.get(rateKey).orElseThrow(() -> cfg.error("missing '" + rateKey + "'")));
    return new Selection(1, null, 0, new Rule.Dynamic(false, key, goal, interval));
  }

  /** {@code SampleRate: N} → 1/N; N of 1 or less (or none) keeps all. */
  private static double rate(YamlNode n) {
    if (n == null) {
      return 1;
    }
    double sampleRate = CollectorPolicies.decimal(n);
    return sampleRate <= 1 ? 1 : 1 / sampleRate;
  }
}
