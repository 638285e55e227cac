package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.TraceIds;
import io.tailstream.testing.Spans;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime jar as shipped ({@code java -jar target/tailstream.jar run}, after {@code package}):
 * its trimmed class path and its xz-packed RocksDB library are enough to sample real traffic.
 * The other real-broker tests run from the test class path, which holds everything, so a class
 * the shade filters drop and Kafka Streams needs would show only here.
 */
class RuntimeJarIT {
  private static final Path RUNTIME = Path.of("target", "tailstream.jar");

  @TempDir
  Path dir;

  @Test
  void theRuntimeJarUnpacksRocksDbAndKeepsExactlyTheTracesTheRulesKeep() throws Exception {
    assertThat(RUNTIME).as("built by mvn package").exists();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      broker.createTopics(3, "it-jar-in", "it-jar-out", "it-jar-dlq");
      Path config = KafkaTestSupport.writeConfig(dir, broker.bootstrapServers(), "it-jar",
          "{ wait: 2s, after-root: 1s, idle: 1s, check-interval: 200ms }", "",
          "rules:\n  - name: errors\n    keep: { error: true }\n");
      Path log = dir.resolve("child.log");
      Process child = new ProcessBuilder(System.getProperty("java.home") + File.separator + "bin"
          + File.separator + "java", "-Xmx512m", "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")),
          "-jar", RUNTIME.toString(), "run", "--config", config.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
      try {
        Map<String, Integer> failed = new HashMap<>();
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          byte[] id = Spans.traceId(7000 + i);
          boolean error = i % 2 == 0;
          var root = Spans.span(id, 1, null, "GET /" + i, 0, 5);
          ExportTraceServiceRequest r = Spans.request(
              Spans.resource("gateway", "http", error ? Spans.error(root) : root),
              Spans.resource("worker", "jobs", Spans.span(id, 2, 1, "work", 1, 3)));
          if (error) {
            failed.put(TraceIds.hex(id), 2);
          }
          values.add(r.toByteArray());
        }
        KafkaTestSupport.produce(broker.bootstrapServers(), "it-jar-in", values);

        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
            "it-jar-out", r -> r.size() >= failed.size(), Duration.ofSeconds(3), Duration.ofSeconds(120));
        Map<String, Integer> kept = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
          kept.merge(new String(r.key(), StandardCharsets.UTF_8),
              Spans.spanCount(ExportTraceServiceRequest.parseFrom(r.value())), Integer::sum);
        }
        assertThat(kept).as(KafkaTestSupport.tail(log, 40)).isEqualTo(failed);
        assertThat(Files.readString(log)).containsPattern("RocksDB native library librocksdbjni-\\S+ \\(unpacked from the jar");
      } finally {
        child.destroy();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
      }
    }
  }
}
