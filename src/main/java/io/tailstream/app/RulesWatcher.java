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
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the rules file when its content changes. It polls (reads the file, following symlinks)
 * instead of using a file-system watch: Kubernetes updates a mounted ConfigMap by swapping a
 * symlinked directory, which watch services report unreliably, and one small read per second
 * costs nothing. A valid change replaces the active rules; an invalid one is logged with its
 * validation message, counted, and the rules in force stay.
 *
 * <p>{@link #check} never throws, not even an {@link Error}: it runs on a scheduled executor, and
 * a task that throws is cancelled without a word. That is how a recursive YAML alias once ended
 * hot reload for good: the parser's StackOverflowError escaped, no later change was applied, and
 * nothing said so. Whatever a candidate file provokes is now logged, counted as refused, and the
 * next change is read as usual.
 */
final class RulesWatcher {
  private static final Logger log = LoggerFactory.getLogger(RulesWatcher.class);

  private final Path file;
  private final ActiveRules rules;
  private final TailstreamMetrics metrics;
  private final BiFunction<String, String, RuleSet> parser;
  private String lastSeen;
  private boolean unreadableReported;

  RulesWatcher(Path file, String loadedText, ActiveRules rules, TailstreamMetrics metrics) {
    this(file, loadedText, rules, metrics, RulesParser::parse);
  }

  /** With another parser: tests use it to provoke what no real file should. */
  RulesWatcher(Path file, String loadedText, ActiveRules rules, TailstreamMetrics metrics,
      BiFunction<String, String, RuleSet> parser) {
    this.file = file;
    this.lastSeen = loadedText;
    this.rules = rules;
    this.metrics = metrics;
    this.parser = parser;
  }

  /** Reads the file once; reloads when it changed. Never throws. */
  void check() {
    try {
      String text = read();
      if (text != null && !text.equals(lastSeen)) {
        lastSeen = text; // a refused text is not parsed again until it changes
        reload(text);
      }
    } catch (Throwable t) { // see the class comment: an escaping Error would end all reloads
      metrics.rulesReloaded(false);
      log.error("rules change rejected ({}), version {} stays in force; still watching {}",
          t, rules.current().version(), file, t);
    }
  }

  /** The file's text, or null when it cannot be read (reported once until it is readable). */
  private String read() {
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      unreadableReported = false;
      return text;
    } catch (IOException e) {
      if (!unreadableReported) {
        log.warn("cannot read rules file {} ({}); the rules in force stay", file, e.getMessage());
        unreadableReported = true;
      }
      return null;
    }
  }

  private void reload(String text) {
    Decider previous = rules.current();
    try {
      RuleSet parsed = parser.apply(text, file.toString());
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
    }
  }
}
