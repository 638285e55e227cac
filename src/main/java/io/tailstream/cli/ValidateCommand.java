package io.tailstream.cli;

import io.tailstream.app.RocksDbNative;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.Decider;
import io.tailstream.rules.Rule;
import io.tailstream.rules.RuleSet;
import io.tailstream.rules.RulesParser;
import io.tailstream.yaml.YamlException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tailstream validate}: checks a rules file, or a config file and its rules, for CI. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a rules file (or a config file and its rules) without connecting to Kafka.",
    footer = {"", "Examples:", "  tailstream validate rules.yaml",
        "  tailstream validate --config tailstream.yaml", "",
        "Exit codes: 0 valid, 2 invalid (the message names file:line:column, key and fix)."})
final class ValidateCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "A config file; its rules file is checked too.")
  Path config;

  @Parameters(arity = "0..1", paramLabel = "RULES", description = "A rules file.")
  Path rulesFile;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    if (config == null && rulesFile == null) {
      err.println("tailstream: give a rules file or --config FILE");
      return Main.EXIT_BAD_CONFIG;
    }
    try {
      Path rulesPath = rulesFile;
      if (config != null) {
        TailstreamConfig loaded = ConfigLoader.load(config);
        out.println("ok: config " + config);
        checkRocksDb();
        rulesPath = rulesFile != null ? rulesFile : loaded.rulesFile();
      }
      RuleSet rules = RulesParser.load(rulesPath);
      Decider.compile(rules);
      out.println("ok: rules " + rulesPath + " (version " + rules.version() + ", "
          + rules.rules().size() + " rules, default " + (rules.defaultKeep() ? "keep" : "drop") + ")");
      for (Rule r : rules.rules()) {
        out.println("  " + RuleSummary.describe(r));
      }
      rules.warnings().forEach(w -> err.println("warning: " + w));
      return Main.EXIT_OK;
    } catch (YamlException e) {
      err.println("tailstream: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
  }

  /** {@code run} needs RocksDB's native library on this machine; say now whether it loads. */
  private void checkRocksDb() {
    try {
      out.println("ok: RocksDB native library " + RocksDbNative.ensureLoaded().describe());
    } catch (RuntimeException | LinkageError e) {
      err.println("warning: `tailstream run` cannot start here: " + e.getMessage());
    }
  }
}
