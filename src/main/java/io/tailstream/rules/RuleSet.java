package io.tailstream.rules;

import java.util.List;
import java.util.Objects;

/**
 * The ordered rules of one rules file. {@code defaultKeep} decides traces no rule decides;
 * {@code version} is a short hash of the file's content (reported with kept traces);
 * {@code warnings} are legal but probably unintended things, such as rules that can never fire.
 */
public record RuleSet(List<Rule> rules, boolean defaultKeep, String source, String version,
    List<String> warnings) {
  public RuleSet {
    rules = List.copyOf(rules);
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(version, "version");
    warnings = List.copyOf(warnings);
  }
}
