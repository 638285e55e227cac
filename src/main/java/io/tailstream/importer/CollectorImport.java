package io.tailstream.importer;

import io.tailstream.rules.Condition;
import io.tailstream.rules.Rule;
import io.tailstream.yaml.YamlException;
import io.tailstream.yaml.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates the {@code tail_sampling} processor of an OpenTelemetry Collector config into
 * tailstream rules and decision settings. Pure: YAML in, {@link Imported} out.
 *
 * <h2>From "any policy samples" to "the first rule decides"</h2>
 * The processor evaluates every top-level policy and combines their decisions (README, in this
 * order): a Dropped (a {@code drop} policy whose sub-policies all sample) → not sampled; an
 * "inverted not sampled" (an {@code invert_match} policy whose key has a listed value somewhere)
 * → not sampled; a Sampled → sampled; an "inverted sampled" with no NotSampled from any policy →
 * sampled; otherwise not sampled. So a trace is kept when no drop policy matches, no inverted
 * policy matches, and some policy samples — or, when every top-level policy is inverted, when none
 * of them matches. (With any other policy present, it either samples or says NotSampled, so the
 * last case needs all policies inverted; a {@code drop} policy that does not match says
 * NotSampled too.)
 *
 * <p>The rules therefore come in three groups: one {@code drop} rule per drop policy; one
 * {@code drop} rule per inverted policy, on its key matching; then one {@code keep} rule per other
 * policy, with {@code default: drop} — or {@code default: keep} when every policy is inverted.
 * Keep rules on conditions commute, so their order is free; rate- and byte-limited rules go last,
 * where they spend their budget only on traces nothing else keeps (the processor spends it on
 * every trace the limiter sees; the kept set is the same while the limits have room).
 */
public final class CollectorImport {
  static final String PROCESSOR = "tail_sampling";

  private CollectorImport() {}

  /**
   * @param root the Collector config (or a bare processor config with {@code policies})
   * @param processor {@code tail_sampling} or {@code tail_sampling/NAME}; null: the only one
   * @param bestEffort write what cannot be translated as commented-out rules instead of failing
   * @throws YamlException naming the file, line, policy and why, for what cannot be translated
   */
  public static Imported translate(YamlNode root, String processor, boolean bestEffort) {
    YamlNode cfg = processorConfig(root, processor);
    List<String> warnings = new ArrayList<>();
    List<Imported.Setting> settings = CollectorSettings.of(cfg, warnings);
    YamlNode policies = cfg.get("policies").orElseThrow(() -> cfg.error(
        "no 'policies': the processor needs at least one"));
    List<Named> votes = new ArrayList<>();
    List<ImportedRule> disabled = new ArrayList<>();
    for (YamlNode policy : policies.items()) {
      String name = CollectorPolicies.name(policy);
      String type = CollectorPolicies.type(policy);
      List<String> notes = new ArrayList<>();
      List<String> comments = new ArrayList<>();
      comments.add("from policy '" + name + "' (" + type + ", " + policy.location() + ")");
      try {
        Vote vote = type.equals("composite")
            ? composite(policy, policy.get("composite").orElseThrow(() -> policy.error(
                "policy '" + name + "' (type composite) needs a 'composite' mapping")))
            : CollectorPolicies.vote(policy, notes);
        comments.addAll(notes);
        votes.add(new Named(name, type, vote, comments));
      } catch (Untranslatable u) {
        String message = "policy '" + name + "' (type " + type + ") cannot be translated: "
            + u.getMessage();
        if (!bestEffort) {
          throw u.node().error(message);
        }
        warnings.add(u.node().location() + ": " + message + "; written commented out");
        disabled.add(ImportedRule.keep(name, comments, Expr.TRUE, Selection.ALL).disabled(u.getMessage()));
      }
    }
    checkFirstMatch(cfg, votes);
    return assemble(votes, disabled, settings, warnings, root.source());
  }

  private record Named(String name, String type, Vote vote, List<String> comments) {}

  private static YamlNode processorConfig(YamlNode root, String processor) {
    if (!root.isMap()) {
      throw root.error("expected a Collector config: a mapping with 'processors'");
    }
    if (root.get("processors").isEmpty() && root.get("policies").isPresent()) {
      return root; // the processor's own config, as its README shows it
    }
    YamlNode processors = root.get("processors").orElseThrow(() -> root.error(
        "no 'processors' section, so no tail_sampling processor"));
    List<String> found = processors.entries().keySet().stream()
        .filter(k -> k.equals(PROCESSOR) || k.startsWith(PROCESSOR + "/")).toList();
    String chosen = processor;
    if (chosen == null) {
      if (found.size() != 1) {
        throw processors.error(found.isEmpty() ? "no tail_sampling processor"
            : "several tail_sampling processors (" + String.join(", ", found)
                + "): choose one with --processor");
      }
      chosen = found.get(0);
    }
    String name = chosen;
    YamlNode cfg = processors.get(name).orElseThrow(() -> processors.error("no processor '" + name
        + "'" + (found.isEmpty() ? "" : "; found " + String.join(", ", found))));
    if (!cfg.isMap()) {
      throw cfg.error("expected the processor's settings and 'policies'");
    }
    return cfg;
  }

  /**
   * {@code composite}: sub-policies in their listed order; the first that samples decides, within
   * min(its rate_allocation, max_total_spans_per_second) spans per second (a sub-policy without an
   * allocation gets none). Each step's rule excludes what the steps before it sample, so a trace a
   * full step turns away is not kept by a later step, as in the processor.
   */
  private static Vote composite(YamlNode policy, YamlNode cfg) {
    cfg.requireKeys(java.util.Set.of("max_total_spans_per_second", "policy_order",
        "composite_sub_policy", "rate_allocation"));
    long total = CollectorPolicies.number(cfg, "max_total_spans_per_second", 0);
    Map<String, Double> allocation = new java.util.HashMap<>();
    List<YamlNode> subs = cfg.get("composite_sub_policy").orElseThrow(() -> cfg.error(
        "missing 'composite_sub_policy'")).items();
    for (YamlNode a : cfg.get("rate_allocation").map(YamlNode::items).orElse(List.of())) {
      String sub = CollectorPolicies.text(a, "policy");
      long percent = CollectorPolicies.number(a, "percent", 0);
      allocation.put(sub, percent > 0 ? percent / 100d * total : (double) total / Math.max(1, subs.size()));
    }
    List<Vote.Step> steps = new ArrayList<>();
    List<Expr> before = new ArrayList<>();
    for (int i = 0; i < subs.size(); i++) {
      YamlNode sub = subs.get(i);
      String name = CollectorPolicies.name(sub);
      List<String> notes = new ArrayList<>();
      Vote v = CollectorPolicies.vote(sub, notes);
      Expr samples;
      Selection selection;
      if (v instanceof Vote.Inverted inv) {
        samples = Expr.not(inv.matched());
        selection = Selection.ALL;
      } else if (v instanceof Vote.Plain p) {
        samples = p.when();
        selection = p.selection();
        if (!selection.all() && i < subs.size() - 1) {
          throw new Untranslatable(sub, "sub-policy '" + name + "' samples by chance or by a limit "
              + "and is not the last: the steps after it would need the traces it turned away");
        }
        if (selection.limited()) {
          throw new Untranslatable(sub, "sub-policy '" + name + "' has a limit of its own inside the "
              + "composite's allocation; a rule has one rate limit");
        }
      } else {
        throw new Untranslatable(sub, "a " + CollectorPolicies.type(sub) + " policy cannot be a "
            + "sub-policy of a composite");
      }
      double perSecond = Math.min(allocation.getOrDefault(name, 0d), total);
      List<Expr> when = new ArrayList<>();
      before.forEach(b -> when.add(Expr.not(b)));
      when.add(samples);
      if (perSecond < 1) {
        notes.add("sub-policy '" + name + "' has no rate_allocation, so it never samples (as in the "
            + "processor); the traces it matches are not kept by later sub-policies");
      }
      steps.add(new Vote.Step(name, CollectorPolicies.type(sub), Expr.all(when),
          perSecond < 1 ? null : new Selection(selection.rate(), new Rule.RateLimit(Math.floor(perSecond), true), 0, null),
          notes));
      before.add(samples);
    }
    return new Vote.Composite(steps);
  }

  /**
   * {@code sample_on_first_match} stops at the first policy that samples, so a later inverted
   * policy may not veto it; without inverted policies the kept set is the same.
   */
  private static void checkFirstMatch(YamlNode cfg, List<Named> votes) {
    boolean firstMatch = CollectorPolicies.flag(cfg, "sample_on_first_match");
    if (firstMatch && votes.stream().anyMatch(v -> v.vote() instanceof Vote.Inverted)) {
      YamlNode n = cfg.get("sample_on_first_match").orElseThrow();
      throw n.error("sample_on_first_match: true with invert_match policies cannot be translated: "
          + "whether an inverted policy vetoes a trace then depends on the policies' order");
    }
  }

  private static Imported assemble(List<Named> votes, List<ImportedRule> disabled,
      List<Imported.Setting> settings, List<String> warnings, String source) {
    List<ImportedRule> drops = new ArrayList<>();
    List<ImportedRule> keeps = new ArrayList<>();
    List<ImportedRule> limited = new ArrayList<>();
    boolean allInverted = !votes.isEmpty();
    for (Named n : votes) {
      Vote v = n.vote();
      if (!(v instanceof Vote.Inverted)) {
        allInverted = false;
      }
      if (v instanceof Vote.Drops d) {
        addDrop(drops, n, d.when(), "drop policy: takes precedence over every sample", warnings);
      } else if (v instanceof Vote.Inverted inv) {
        addDrop(drops, n, inv.matched(), "invert_match: when the key matches, the processor's "
            + "'inverted not sample' overrides every sample", warnings);
      } else if (v instanceof Vote.Plain p) {
        if (p.when() == Expr.FALSE) {
          warnings.add(source + ": policy '" + n.name() + "' never samples; no rule written");
        } else {
          ImportedRule rule = ImportedRule.keep(n.name(), n.comments(), p.when(), p.selection());
          (p.selection().limited() ? limited : keeps).add(rule);
        }
      } else {
        for (Vote.Step s : ((Vote.Composite) v).steps()) {
          if (s.selection() == null || s.when() == Expr.FALSE) {
            continue;
          }
          List<String> comments = new ArrayList<>(List.of("from composite '" + n.name()
              + "', sub-policy '" + s.name() + "' (" + s.type() + "): within its allocation"));
          comments.addAll(s.notes());
          limited.add(ImportedRule.keep(n.name() + "/" + s.name(), comments, s.when(), s.selection()));
        }
      }
    }
    List<ImportedRule> rules = new ArrayList<>(drops);
    rules.addAll(keeps);
    rules.addAll(limited);
    rules.addAll(disabled);
    List<String> header = List.of(
        "Imported from the tail_sampling processor of " + source + ".",
        "The processor keeps a trace when any policy samples it, unless a drop policy or an",
        "invert_match policy vetoes it; these rules decide first-match, so the vetoes come first.");
    String defaultComment = allInverted
        ? "every policy is invert_match: the processor samples what none of them matches"
        : "the processor samples nothing no policy samples";
    return new Imported(RuleNames.unique(rules), allInverted, defaultComment, header, settings, warnings);
  }

  private static void addDrop(List<ImportedRule> drops, Named n, Expr when, String why,
      List<String> warnings) {
    if (when == Expr.FALSE) {
      return;
    }
    List<String> comments = new ArrayList<>(n.comments());
    comments.add(why);
    drops.add(ImportedRule.drop(n.name(), comments, when == Expr.TRUE ? ALWAYS : when));
  }

  /** A condition every trace meets, for a drop rule that drops everything. */
  static final Expr ALWAYS = Expr.of(new Condition.SpanCount(0, Integer.MAX_VALUE));
}
