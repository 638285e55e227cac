package io.tailstream.importer;

import io.tailstream.yaml.YamlNode;

/**
 * A policy or rule that has no equivalent in tailstream's rules. Thrown inside a translator and
 * caught where the policy or rule starts: there it becomes a located error (exit 2) or, with
 * {@code --best-effort}, a commented-out rule and a warning.
 */
final class Untranslatable extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient YamlNode node;

  Untranslatable(YamlNode node, String reason) {
    super(reason);
    this.node = node;
  }

  YamlNode node() {
    return node;
  }
}
