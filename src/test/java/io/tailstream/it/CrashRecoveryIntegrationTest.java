package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.TraceIds;
import io.tailstream.testing.Spans;
import io.tailstream.workload.InferenceWorkload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a {@code tailstream run} JVM (SIGKILL: no flush, no clean close) while its traces are
 * still buffered, then starts a new instance with the same application id and an empty state
 * directory, as a replacement pod would be. The buffered traces must be rebuilt by reading the
 * log again (their positions come back from the changelog), decided and emitted, each span
 * exactly once (read_committed).
 */
class CrashRecoveryIntegrationTest {
  private static final int TRACES = 300;
  private static EmbeddedKafkaBroker broker;

  @TempDir
  Path dir;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void bufferedTracesSurviveAKilledInstanceAndComeOutOnce() throws Exception {
    String decision = "{ wait: 25s, after-root: 25s, idle: 25s, check-interval: 200ms }";
    Path firstDir = Files.createDirectories(dir.resolve("first"));
    Path config = KafkaTestSupport.writeConfig(firstDir, broker.bootstrapServers(), "it-crash",
        decision, "");
    broker.createTopics(3, "it-crash-in", "it-crash-out", "it-crash-dlq");
    Path log = dir.resolve("child.log");
    Process child = KafkaTestSupport.startRun(config, log, Map.of());
    try {
      // Only errors: every trace must be kept.
      InferenceWorkload workload = new InferenceWorkload(5, 1.0, 0, 0);
      List<InferenceWorkload.Trace> traces = new ArrayList<>();
      for (int i = 0; i < TRACES; i++) {
        traces.add(workload.next());
      }
      List<byte[]> values = new ArrayList<>();
      for (ExportTraceServiceRequest r : KafkaTestSupport.batches(traces, 5, new Random(9))) {
        values.add(r.toByteArray());
      }
      KafkaTestSupport.produce(broker.bootstrapServers(), "it-crash-in", values);
      KafkaTestSupport.awaitAllConsumed(broker.bootstrapServers(), "it-crash", List.of("it-crash-in", "it-crash-by-trace"),
          Duration.ofSeconds(60), child, log);
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(child.exitValue()).as("killed, not exited").isNotZero();
    assertThat(KafkaTestSupport.consume(broker.bootstrapServers(), "it-crash-out", r -> true,
        Duration.ofMillis(500), Duration.ofSeconds(5))).as("nothing decided before the kill").isEmpty();

    // A replacement with an empty state directory: the re-read positions come back from the
    // changelog, the buffered spans from the log.
    Path secondDir = Files.createDirectories(dir.resolve("second"));
    Path config2 = KafkaTestSupport.writeConfig(secondDir, broker.bootstrapServers(), "it-crash",
        decision, "");
    InferenceWorkload again = new InferenceWorkload(5, 1.0, 0, 0);
    Map<String, Set<String>> expected = new HashMap<>();
    for (int i = 0; i < TRACES; i++) {
      InferenceWorkload.Trace t = again.next();
      Set<String> ids = new HashSet<>();
      t.spans().forEach(s -> ids.add(TraceIds.hex(s.getSpanId())));
      expected.put(TraceIds.hex(t.traceId()), ids);
    }
    try (TailstreamApp replacement = TailstreamApp.create(ConfigLoader.load(config2, Map.of()))) {
      replacement.start();
      List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
          "it-crash-out", records -> spanCount(records) >= expected.values().stream().mapToInt(Set::size).sum(),
          Duration.ofSeconds(5), Duration.ofSeconds(120));
      Map<String, List<String>> spans = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : out) {
        for (Span s : Spans.allSpans(ExportTraceServiceRequest.parseFrom(r.value()))) {
          spans.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>())
              .add(TraceIds.hex(s.getSpanId()));
        }
      }
      assertThat(spans.keySet()).isEqualTo(expected.keySet());
      spans.forEach((trace, ids) -> {
        assertThat(ids).as("spans of %s", trace).doesNotHaveDuplicates();
        assertThat(new HashSet<>(ids)).as("spans of %s", trace).isEqualTo(expected.get(trace));
      });
      assertThat(replacement.metrics().tracesKept()).isEqualTo(TRACES);
    }
  }

  private static int spanCount(List<ConsumerRecord<byte[], byte[]>> records) {
    int n = 0;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      try {
        n += Spans.spanCount(ExportTraceServiceRequest.parseFrom(r.value()));
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
    return n;
  }

}
