package io.tailstream.bench;

import io.tailstream.config.ConfigLoader;
import io.tailstream.config.StreamsProperties;
import io.tailstream.config.TailstreamConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes and loads the tailstream config of one benchmark app. */
final class BenchConfigs {
  private BenchConfigs() {}

  /** The bench's rules (the ML inference example), copied to {@code dir/rules.yaml}. */
  static Path rules(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path rules = dir.resolve("rules.yaml");
    try (var res = BenchConfigs.class.getResourceAsStream(
        "/io/tailstream/examples/rules-ml-inference.yaml")) {
      Files.copy(res, rules);
    }
    return rules;
  }

  static TailstreamConfig tailstream(String bootstrap, String appId, String in, boolean keyed,
      String prefix, EndToEndBenchmark.Options o, Path dir, String decision) throws IOException {
    rules(dir);
    Path config = dir.resolve("tailstream.yaml");
    Files.writeString(config, """
        kafka:
          bootstrap-servers: %s
          application-id: %s
          properties: { state.dir: %s, num.stream.threads: %d, commit.interval.ms: %d,
                        producer.compression.type: %s }
        input: { keyed-by-trace-id: %s }
        topics:
          input: %s
          output: %sout
          dead-letter: %sdlq
          control: %scontrol
          rates: %srates
          partitions: %d
        decision: %s
        stress: { max-buffered-bytes: 1024GiB, heap-high-watermark: 99%% }
        stages: { enabled: %s }
        %s
        admin: { port: -1 }
        auto-boost: { enabled: false }
        rules: rules.yaml
        """.formatted(bootstrap, appId, dir.resolve("state"), o.threads(), o.commitInterval().toMillis(), o.compression(), keyed, in, prefix,
        prefix, prefix, prefix, o.partitions(), decision, o.stageMetrics(),
        o.heapBuffer() == null ? "" : "memory: { heap-buffer: " + o.heapBuffer() + " }"));
    TailstreamConfig loaded = ConfigLoader.load(config, Map.of());
    StreamsProperties.streams(loaded); // validate
    return loaded;
  }
}
