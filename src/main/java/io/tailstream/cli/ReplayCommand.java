package io.tailstream.cli;

import io.tailstream.decide.Decider;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.replay.DumpFile;
import io.tailstream.replay.RecordSource;
import io.tailstream.replay.Replay;
import io.tailstream.rules.RuleSet;
import io.tailstream.rules.RulesParser;
import io.tailstream.yaml.YamlException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.LongConsumer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tailstream replay}: what would these rules keep of recorded traffic? */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = "Decide recorded traffic offline with a rules file (writes nothing to Kafka).",
    footer = {"", "Examples:",
        "  tailstream replay --rules rules.yaml --from-topic otlp_spans --bootstrap-servers kafka:9092 --since 1h",
        "  tailstream replay --rules new.yaml --compare rules.yaml --from-file spans.dump"})
final class ReplayCommand implements Callable<Integer> {
  @Option(names = "--rules", required = true, paramLabel = "FILE", description = "The rules to try.")
  Path rules;

  @Option(names = "--compare", paramLabel = "FILE", description = "Rules to compare with (e.g. the ones in force).")
  Path compare;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  static final class Input {
    @Option(names = "--from-topic", paramLabel = "TOPIC", description = "Read this topic.")
    String topic;

    @Option(names = "--from-file", paramLabel = "FILE", description = "Read a file written by `tailstream dump`.")
    Path file;
  }

  @Mixin
  TopicOptions topicOptions;

  @Option(names = "--encoding", defaultValue = "otlp_proto", paramLabel = "ENCODING",
      converter = Converters.EncodingConverter.class, description = "otlp_proto (default) or otlp_json.")
  Encoding encoding;

  PrintStream out = System.out;
  PrintStream err = System.err;

  @Override
  public Integer call() {
    RuleSet ruleSet;
    RuleSet compareSet = null;
    try {
      ruleSet = RulesParser.load(rules);
      if (compare != null) {
        compareSet = RulesParser.load(compare);
      }
    } catch (YamlException | IllegalArgumentException e) {
      err.println("tailstream: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
    RecordSource source;
    try {
      source = input.file != null ? DumpFile.reader(input.file) : topicOptions.source(input.topic);
    } catch (IllegalArgumentException e) {
      err.println("tailstream: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
    Replay.Result result = Replay.run(source, OtlpCodec.of(encoding), Decider.compile(ruleSet),
        compareSet == null ? null : Decider.compile(compareSet), progress());
    print(result, ruleSet, compareSet);
    return Main.EXIT_OK;
  }

  private LongConsumer progress() {
    boolean tty = System.console() != null;
    return new LongConsumer() {
      private long lastPrinted;

      @Override
      public void accept(long records) {
        if (tty) {
          err.print("\rread " + String.format("%,d", records) + " records");
        } else if (records - lastPrinted >= 100_000) {
          err.println("read " + String.format("%,d", records) + " records");
          lastPrinted = records;
        }
      }
    };
  }

  private void print(Replay.Result r, RuleSet ruleSet, RuleSet compareSet) {
    if (System.console() != null) {
      err.println();
    }
    out.printf("replayed %,d records (%,d unreadable): %,d traces, %,d spans, %,d bytes%n",
        r.records(), r.unreadable(), r.traces(), r.spans(), r.bytes());
    out.printf("rules %s (version %s)%n", ruleSet.source(), ruleSet.version());
    out.printf("  %-28s %12s %12s %14s%n", "kept by rule", "traces", "spans", "bytes");
    for (Map.Entry<String, Replay.RuleStats> e : r.keptByRule().entrySet()) {
      out.printf("  %-28s %,12d %,12d %,14d%n", e.getKey(), e.getValue().traces(),
          e.getValue().spans(), e.getValue().bytes());
    }
    out.printf("kept: %,d traces (%s), %,d spans (%s), %,d bytes (%s)%n", r.keptTraces(),
        percent(r.keptTraces(), r.traces()), r.keptSpans(), percent(r.keptSpans(), r.spans()),
        r.keptBytes(), percent(r.keptBytes(), r.bytes()));
    out.printf("storage reduction: %s by spans, %s by bytes%n", ratio(r.spans(), r.keptSpans()),
        ratio(r.bytes(), r.keptBytes()));
    if (compareSet != null) {
      out.printf("compared with %s (version %s):%n", compareSet.source(), compareSet.version());
      out.printf("  kept only by %s: %,d traces %s%n", ruleSet.source(),
          r.onlyNew().values().stream().mapToLong(Long::longValue).sum(), r.onlyNew());
      out.printf("  kept only by %s: %,d traces %s%n", compareSet.source(),
          r.onlyOld().values().stream().mapToLong(Long::longValue).sum(), r.onlyOld());
    }
  }

  private static String percent(long part, long whole) {
    return whole == 0 ? "-" : String.format("%.2f%%", 100.0 * part / whole);
  }

  private static String ratio(long all, long kept) {
    return kept == 0 ? "∞" : String.format("%.1fx", (double) all / kept);
  }
}
