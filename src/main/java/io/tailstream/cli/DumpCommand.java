package io.tailstream.cli;

import io.tailstream.replay.DumpFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tailstream dump}: record a topic's values to a file for {@code replay --from-file}. */
@Command(name = "dump", mixinStandardHelpOptions = true,
    description = "Copy record values of a topic to a file (length-delimited), for replay.",
    footer = {"", "Example:",
        "  tailstream dump --bootstrap-servers kafka:9092 --topic otlp_spans --since 15m --output spans.dump"})
final class DumpCommand implements Callable<Integer> {
  @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "The topic to read.")
  String topic;

  @Option(names = "--output", required = true, paramLabel = "FILE", description = "The file to write.")
  Path output;

  @Mixin
  TopicOptions topicOptions;

  @Override
  public Integer call() throws IOException {
    long records = 0;
    long bytes = 0;
    try (DumpFile.Writer writer = new DumpFile.Writer(output)) {
      for (byte[] value : topicOptions.source(topic)) {
        writer.write(value);
        records++;
        bytes += value.length;
      }
    } catch (IllegalArgumentException e) {
      System.err.println("tailstream: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
    System.out.printf("wrote %,d records (%,d bytes) from %s to %s%n", records, bytes, topic, output);
    return Main.EXIT_OK;
  }
}
