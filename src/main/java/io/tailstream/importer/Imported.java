package io.tailstream.importer;

import java.util.List;
import java.util.Objects;

/**
 * What an import produced: the rules in order, the default, the decision settings for
 * {@code tailstream.yaml}, comment lines for the top of the rules file, and warnings for the
 * operator (each naming the source file and line).
 */
public record Imported(List<ImportedRule> rules, boolean defaultKeep, String defaultComment,
    List<String> header, List<Setting> settings, List<String> warnings) {
  public Imported {
    rules = List.copyOf(rules);
    header = List.copyOf(header);
    settings = List.copyOf(settings);
    warnings = List.copyOf(warnings);
  }

  /**
   * One {@code tailstream.yaml} key: its dotted path (from {@code ConfigKeys}), the value as it is
   * written, and the comment that says where it came from.
   */
  public record Setting(String path, String value, String comment) {
    public Setting {
      Objects.requireNonNull(path, "path");
    }

    /** A setting with no value: written only as a comment. */
    public boolean commentOnly() {
      return value == null;
    }
  }

  public boolean usesOttl() {
    return rules.stream().anyMatch(r -> r.active() && r.condition().usesOttl());
  }
}
