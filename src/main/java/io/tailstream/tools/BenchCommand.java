package io.tailstream.tools;

import io.tailstream.cli.Converters;
import io.tailstream.cli.Main;

import io.tailstream.bench.BenchReport;
import io.tailstream.bench.EndToEndBenchmark;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tailstream bench}: the end-to-end benchmark, on the in-JVM broker by default. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure tailstream against a plain exactly-once Kafka Streams copy of the same "
        + "records and against an in-memory sampler in the OpenTelemetry Collector's tail_sampling "
        + "shape: spans/s, MB/s, CPU per million spans, decision lateness, store bytes per span, "
        + "broker bytes written per input byte, the rebuild of a buffer from its log (seconds per GB "
        + "re-read), and heap with up to a million traces in flight."},
    footer = {"", "Examples:", "  tailstream bench",
        "  tailstream bench --spans 200000 --memory-traces 0      (a quick run)",
        "  tailstream bench --json target/bench.json              (to compare commits)"})
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--spans", defaultValue = "1000000", description = "Spans in the measured workload (default ${DEFAULT-VALUE}).")
  long spans;

  // 300k left 5-9 CPU s per million measured spans to the JIT compiler with null keys (per-thread
  // CPU in the bench's window); 1.2M brought it to 1.7.
  @Option(names = "--warmup-spans", defaultValue = "1000000",
      description = "Spans each app processes first, unmeasured, so the JIT has compiled the hot paths (default ${DEFAULT-VALUE}; 0 = none).")
  long warmupSpans;

  @Option(names = "--partitions", defaultValue = "4", description = "Partitions of every topic (default ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--threads", defaultValue = "1", description = "Stream threads of every app (default ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--memory-traces", defaultValue = "1000000",
      description = "Traces held in flight by the memory scenario (default ${DEFAULT-VALUE}; 0 = skip).")
  long memoryTraces;

  @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster instead of the in-JVM broker.")
  String bootstrapServers;

  @Option(names = "--seed", defaultValue = "7", description = "Workload seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--commit-interval", defaultValue = "100ms", converter = Converters.DurationConverter.class,
      description = "commit.interval.ms of every app (default ${DEFAULT-VALUE}, Kafka Streams' exactly-once default).")
  Duration commitInterval;

  @Option(names = "--compression", defaultValue = "lz4",
      description = "compression.type of every app's producer, the copy's included: none, lz4, zstd, snappy, gzip (default ${DEFAULT-VALUE}, tailstream's default).")
  String compression;

  @Option(names = "--rebuild", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Measure the rebuild of a buffer from its log: a new instance with an empty state dir re-reads what a stopped one had buffered (default ${DEFAULT-VALUE}; --no-rebuild skips it).")
  boolean rebuild;

  @Option(names = "--live", defaultValue = "20s", converter = Converters.DurationConverter.class,
      description = "How long the live round sends steady traffic to measure decision lateness (default ${DEFAULT-VALUE}; 0s skips it).")
  Duration live;

  @Option(names = "--rounds", defaultValue = "1",
      description = "How many times to run the measured block: figures are then each app's median run and the ratios' medians over the rounds (default ${DEFAULT-VALUE}; 3 to compare commits on a small machine).")
  int rounds;

  @Option(names = "--heap-buffer",
      description = "tailstream's memory.heap-buffer in every round, e.g. 512MiB (default: its own default). The in-memory sampler holds every undecided trace on the heap; this gives tailstream's heap tier as much.")
  String heapBuffer;

  @Option(names = "--stage-metrics", negatable = true, defaultValue = "false", fallbackValue = "true",
      description = "Turn on tailstream's per-stage latency metrics (stages.enabled; off by default, as in tailstream). The in-memory sampler computes none: this measures what they cost.")
  boolean stageMetrics;

  @Option(names = "--json", description = "Also write the figures as JSON to this file.")
  Path json;

  @Override
  public Integer call() throws Exception {
    Path work = Files.createTempDirectory("tailstream-bench-");
    BenchReport report;
    try {
      report = EndToEndBenchmark.run(new EndToEndBenchmark.Options(spans, warmupSpans,
          partitions, threads, memoryTraces, bootstrapServers, seed,
          commitInterval, compression, rebuild, live, rounds, heapBuffer, stageMetrics), work);
    } finally {
      EmbeddedKafkaBroker.deleteRecursively(work); // the apps' state: hundreds of MB per run
    }
    System.out.print(report.table());
    if (json != null) {
      Files.writeString(json, report.json());
      System.out.println("figures written to " + json);
    }
    return Main.EXIT_OK;
  }
}
