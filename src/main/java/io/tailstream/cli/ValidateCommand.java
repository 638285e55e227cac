package io.tailstream.cli;

import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.Decider;
import io.tailstream.rules.RuleSet;
import io.tailstream.rules.RulesParser;
import io.tailstream.yaml.YamlException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tailstream validate --config tailstream.yaml}: checks config and rules, for CI. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a config file and its rules file without connecting to Kafka.")
final class ValidateCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "The config file (YAML).")
  Path config;

  @Override
  public Integer call() {
    try {
      TailstreamConfig loaded = ConfigLoader.load(config);
      RuleSet rules = RulesParser.load(loaded.rulesFile());
      Decider decider = Decider.compile(rules);
      System.out.println("ok: " + config + " and " + loaded.rulesFile() + " ("
          + rules.rules().size() + " rules: " + String.join(", ", decider.ruleNames()) + ")");
      return Main.EXIT_OK;
    } catch (YamlException e) {
      System.err.println("tailstream: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
  }
}
