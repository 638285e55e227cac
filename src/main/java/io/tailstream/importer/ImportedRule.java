package io.tailstream.importer;

import io.tailstream.rules.Rule;
import java.util.List;
import java.util.Objects;

/**
 * One rule to write: what {@link Rule} holds, with an {@link Expr} condition ({@link Expr#TRUE}:
 * none), the comment lines that go above it (the policy it came from, what differs), and, for a
 * rule that could not be translated under {@code --best-effort}, why it is written commented out.
 */
public record ImportedRule(String name, List<String> comments, Rule.Action action, Expr condition,
    double sampleRate, Rule.RateLimit rateLimit, double bytesPerSecond, Rule.Dynamic dynamic,
    String disabledReason) {
  public ImportedRule {
    Objects.requireNonNull(name, "name");
    comments = List.copyOf(comments);
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(condition, "condition");
    if (condition == Expr.FALSE) {
      throw new IllegalArgumentException("rule '" + name + "' can never match; leave it out");
    }
  }

  static ImportedRule keep(String name, List<String> comments, Expr condition, Selection selection) {
    return new ImportedRule(name, comments, Rule.Action.KEEP, condition, selection.rate(),
        selection.rateLimit(), selection.bytesPerSecond(), selection.dynamic(), null);
  }

  static ImportedRule drop(String name, List<String> comments, Expr condition) {
    return new ImportedRule(name, comments, Rule.Action.DROP, condition, 1, null, 0, null, null);
  }

  /** The same rule written commented out, with the reason. */
  ImportedRule disabled(String reason) {
    return new ImportedRule(name, comments, action, condition, sampleRate, rateLimit, bytesPerSecond,
        dynamic, reason);
  }

  ImportedRule named(String newName) {
    return new ImportedRule(newName, comments, action, condition, sampleRate, rateLimit,
        bytesPerSecond, dynamic, disabledReason);
  }

  public boolean active() {
    return disabledReason == null;
  }
}
