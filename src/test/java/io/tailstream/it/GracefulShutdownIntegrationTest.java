package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.TraceIds;
import io.tailstream.testing.Spans;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a {@code run} process holding buffered traces: it commits and closes well within
 * its shutdown timeout, decides nothing early, and the next instance decides and emits every
 * buffered trace exactly once.
 */
class GracefulShutdownIntegrationTest {
  @TempDir
  Path dir;

  @Test
  void sigtermHandsBufferedTracesToTheNextInstance() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      broker.createTopics(3, "it-term-in", "it-term-out", "it-term-dlq");
      String decision = "{ wait: 20s, after-root: 20s, idle: 20s, check-interval: 200ms }";
      Path config = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve("first")),
          broker.bootstrapServers(), "it-term", decision, "");
      Path log = dir.resolve("child.log");
      Process child = KafkaTestSupport.startRun(config, log, Map.of());
      Map<String, Integer> expected = new HashMap<>();
      List<byte[]> values = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        byte[] id = Spans.traceId(5000 + i);
        ExportTraceServiceRequest r = Spans.request(
            Spans.resource("gateway", "http", Spans.error(Spans.span(id, 1, null, "GET /" + i, 0, 5))),
            Spans.resource("worker", "jobs", Spans.span(id, 2, 1, "work", 1, 3)));
        expected.put(TraceIds.hex(id), 2);
        values.add(r.toByteArray());
      }
      KafkaTestSupport.produce(broker.bootstrapServers(), "it-term-in", values);
      KafkaTestSupport.awaitAllConsumed(broker.bootstrapServers(), "it-term",
          List.of("it-term-in", "it-term-by-trace"), Duration.ofSeconds(60), child, log);

      long start = System.nanoTime();
      child.destroy(); // SIGTERM
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("exits within the shutdown timeout").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
      assertThat(Files.readString(log)).contains("state PENDING_SHUTDOWN -> NOT_RUNNING");
      assertThat(KafkaTestSupport.consume(broker.bootstrapServers(), "it-term-out", r -> true,
          Duration.ofMillis(500), Duration.ofSeconds(3))).as("nothing decided early").isEmpty();

      Path config2 = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve("second")),
          broker.bootstrapServers(), "it-term", decision, "");
      try (TailstreamApp next = TailstreamApp.create(ConfigLoader.load(config2, Map.of()))) {
        next.start();
        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
            "it-term-out", r -> r.size() >= 100, Duration.ofSeconds(3), Duration.ofSeconds(90));
        Map<String, Integer> spans = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
          String id = new String(r.key(), StandardCharsets.UTF_8);
          assertThat(seen.add(id)).as("trace %s once", id).isTrue();
          spans.put(id, Spans.spanCount(ExportTraceServiceRequest.parseFrom(r.value())));
        }
        assertThat(spans).isEqualTo(expected);
      }
    }
  }
}
