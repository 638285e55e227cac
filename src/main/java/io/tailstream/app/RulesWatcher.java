package io.tailstream.app;

import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.rules.RuleSet;
import io.tailstream.rules.RulesParser;
import io.tailstream.yaml.YamlException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the rules file when its content changes. It polls (reads the file, following symlinks)
 * instead of using a file-system watch: Kubernetes updates a mounted ConfigMap by swapping a
 * symlinked directory, which watch services report unreliably, and one small read per second
 * costs nothing. A valid change replaces the active rules; an invalid one is logged with its
 * validation message, counted, and the rules in force stay.
 */
final class RulesWatcher {
  private static final Logger log = LoggerFactory.getLogger(RulesWatcher.class);

  private final Path file;
  private final ActiveRules rules;
  private final TailstreamMetrics metrics;
  private String lastSeen;
  private boolean unreadableReported;

  RulesWatcher(Path file, String loadedText, ActiveRules rules, TailstreamMetrics metrics) {
    this.file = file;
    this.lastSeen = loadedText;
    this.rules = rules;
    this.metrics = metrics;
  }

  /** Reads the file once; reloads when it changed. Never throws. */
  void check() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
      unreadableReported = false;
    } catch (IOException e) {
      if (!unreadableReported) {
        log.warn("cannot read rules file {} ({}); the rules in force stay", file, e.getMessage());
        unreadableReported = true;
      }
      return;
    }
    if (text.equals(lastSeen)) {
      return;
    }
    lastSeen = text;
    Decider previous = rules.current();
    try {
      RuleSet parsed = RulesParser.parse(text, file.toString());
      Decider next = Decider.compile(parsed, previous.adaptive());
      rules.replace(next);
      metrics.rulesReloaded(true);
      metrics.rulesLoaded(next.version(), next.ruleNames());
      log.info("rules reloaded from {}: version {} -> {}, rules {}", file, previous.version(),
          next.version(), next.ruleNames());
      parsed.warnings().forEach(w -> log.warn("rules: {}", w));
    } catch (YamlException e) {
      metrics.rulesReloaded(false);
      log.error("rules change rejected, version {} stays in force: {}", previous.version(), e.getMessage());
    } catch (RuntimeException e) {
      metrics.rulesReloaded(false);
      log.error("rules change rejected, version {} stays in force", previous.version(), e);
    }
  }
}
