package io.tailstream.cli;

import io.tailstream.config.ConfigLoader;
import io.tailstream.decide.Decider;
import io.tailstream.importer.CollectorImport;
import io.tailstream.importer.ConfigWriter;
import io.tailstream.importer.Imported;
import io.tailstream.importer.RefineryImport;
import io.tailstream.importer.RulesWriter;
import io.tailstream.rules.RulesParser;
import io.tailstream.yaml.YamlException;
import io.tailstream.yaml.YamlNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tailstream import}: writes tailstream rules (and decision settings) equivalent to another
 * tail sampler's configuration. Wiring only: the translation is in {@code io.tailstream.importer}.
 * What it writes is checked as {@code validate} would check it before the file is written.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Write tailstream rules from another tail sampler's configuration.",
    subcommands = {ImportCommand.Collector.class, ImportCommand.Refinery.class},
    footer = {"", "Exit codes: 0 written, 2 something cannot be translated (file:line, policy and why)."})
final class ImportCommand implements Runnable {
  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  /** Options both importers take. */
  abstract static class Base implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "rules.yaml",
        description = "The rules file to write (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--best-effort",
        description = "Write what cannot be translated as commented-out rules, with a warning, instead of failing.")
    boolean bestEffort;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;
    PrintWriter out;
    PrintWriter err;

    @Override
    public Integer call() {
      out = commandSpec.commandLine().getOut();
      err = commandSpec.commandLine().getErr();
      try {
        return importAndWrite();
      } catch (YamlException e) {
        err.println("tailstream: " + e.getMessage());
        return Main.EXIT_BAD_CONFIG;
      }
    }

    abstract int importAndWrite();

    /** Writes the rules after checking that tailstream accepts them. */
    void writeRules(Imported imported, Path file) {
      String text = RulesWriter.write(imported);
      Decider.compile(RulesParser.parse(text, file.toString()));
      write(file, text);
      imported.warnings().forEach(w -> err.println("warning: " + w));
      out.println("wrote " + file + " (" + imported.rules().stream().filter(r -> r.active()).count()
          + " rules, default " + (imported.defaultKeep() ? "keep" : "drop") + ")");
    }

    static void write(Path file, String text) {
      try {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new YamlException("cannot write " + file + ": " + e.getMessage());
      }
    }
  }

  @Command(name = "otel-collector", mixinStandardHelpOptions = true,
      description = "Translate the tail_sampling processor of an OpenTelemetry Collector config.",
      footer = {"", "Example:", "  tailstream import otel-collector collector.yaml -o rules.yaml --config-out tailstream.yaml"})
  static final class Collector extends Base {
    @Parameters(index = "0", paramLabel = "COLLECTOR.yaml", description = "The Collector config.")
    Path collector;

    @Option(names = "--processor", paramLabel = "tail_sampling/NAME",
        description = "Which tail_sampling processor, when the config has several.")
    String processor;

    @Option(names = "--config-out", paramLabel = "FILE",
        description = "Also write a minimal tailstream.yaml with the matching decision settings.")
    Path configOut;

    @Override
    int importAndWrite() {
      Imported imported = CollectorImport.translate(YamlNode.load(collector), processor, bestEffort);
      writeRules(imported, output);
      if (configOut != null) {
        Path base = configOut.toAbsolutePath().getParent();
        String rulesPath = base == null ? output.toString() : base.relativize(output.toAbsolutePath()).toString();
        String config = ConfigWriter.write(imported.settings(), rulesPath, collector.toString());
        // As the rules: what is written is what tailstream reads (a bad value fails here, exit 2).
        ConfigLoader.parse(config, configOut.toString(), base == null ? Path.of(".") : base, Map.of());
        write(configOut, config);
        out.println("wrote " + configOut + " (decision settings; set kafka.bootstrap-servers)");
      }
      return Main.EXIT_OK;
    }
  }

  @Command(name = "refinery", mixinStandardHelpOptions = true,
      description = {"Translate a Refinery rules file (RulesVersion 2).",
          "Each target (environment or dataset) gets its own rules file: __default__ goes to -o,",
          "another target NAME to the same name with -NAME before the extension."},
      footer = {"", "Example:", "  tailstream import refinery rules.yaml -o tailstream-rules.yaml"})
  static final class Refinery extends Base {
    @Parameters(index = "0", paramLabel = "RULES.yaml", description = "Refinery's rules file.")
    Path rules;

    @Option(names = "--target", paramLabel = "NAME",
        description = "Translate only this environment or dataset (Refinery's __default__ when it is not listed).")
    String target;

    @Override
    int importAndWrite() {
      Map<String, Imported> all = RefineryImport.translate(YamlNode.load(rules), bestEffort);
      if (target != null) {
        writeRules(all.getOrDefault(target, all.get("__default__")), output);
        return Main.EXIT_OK;
      }
      all.forEach((name, imported) -> writeRules(imported, name.equals("__default__") ? output : sibling(output, name)));
      return Main.EXIT_OK;
    }

    static Path sibling(Path file, String target) {
      String name = file.getFileName().toString();
      int dot = name.lastIndexOf('.');
      String safe = target.replaceAll("[^A-Za-z0-9._-]", "_");
      String renamed = dot < 0 ? name + "-" + safe : name.substring(0, dot) + "-" + safe + name.substring(dot);
      return file.resolveSibling(renamed);
    }
  }
}
