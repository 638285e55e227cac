package io.tailstream.cli;

import io.tailstream.bench.EndToEndBenchmark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tailstream bench}: the end-to-end benchmark on the in-JVM broker. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure spans/s through tailstream against a plain exactly-once copy app, "
        + "both on an in-JVM Kafka broker.",
    footer = {"", "Example:", "  tailstream bench --spans 200000"})
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--spans", defaultValue = "200000", description = "Spans to load (default ${DEFAULT-VALUE}).")
  long spans;

  @Option(names = "--partitions", defaultValue = "4", description = "Input partitions (default ${DEFAULT-VALUE}).")
  int partitions;

  @Override
  public Integer call() throws Exception {
    Path work = Files.createTempDirectory("tailstream-bench-");
    EndToEndBenchmark.Result result = EndToEndBenchmark.run(spans, partitions, work);
    System.out.print(result.report());
    return Main.EXIT_OK;
  }
}
