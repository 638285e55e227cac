package io.tailstream.importer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Rule names must be unique and must not start with the prefixes tailstream reports its own decisions under. */
final class RuleNames {
  private RuleNames() {}

  static List<ImportedRule> unique(List<ImportedRule> rules) {
    Set<String> used = new HashSet<>();
    List<ImportedRule> out = new ArrayList<>();
    for (ImportedRule r : rules) {
      String base = r.name().trim().isEmpty() ? "rule" : r.name().trim();
      if (base.startsWith("boost:") || base.startsWith("stress:")) {
        base = "imported-" + base;
      }
      String name = base;
      for (int i = 2; !used.add(name); i++) {
        name = base + " (" + i + ")";
      }
      out.add(name.equals(r.name()) ? r : r.named(name));
    }
    return out;
  }
}
