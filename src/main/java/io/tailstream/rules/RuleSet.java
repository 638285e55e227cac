package io.tailstream.rules;

import java.util.List;
import java.util.Objects;

/** The ordered rules of one rules file; {@code source} names the file for logs. */
public record RuleSet(List<Rule> rules, String source) {
  public RuleSet {
    rules = List.copyOf(rules);
    Objects.requireNonNull(source, "source");
  }
}
