package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.TraceIds;
import io.tailstream.workload.InferenceWorkload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload: a {@code run} JVM with a 512 MiB heap holds every trace for 10 s within a 1 MiB buffer
 * budget, which sustains about 80 traces/s of this traffic (1 MiB / 10 s / ~1.3 KB per trace).
 * It gets ten times that — 800 traces/s, about 5,400 spans/s — for 30 s (the budget is full
 * within two seconds, so the rest is sustained overload). Stress relief must engage
 * and end by itself, the process must not run out of memory, and every error trace must still be
 * kept, none twice.
 */
class OverloadIntegrationTest {
  @TempDir
  Path dir;

  @Test
  void stressReliefEngagesAndEndsWithoutLosingErrors() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      broker.createTopics(3, "it-over-in", "it-over-out", "it-over-dlq");
      Path config = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve("node")),
          broker.bootstrapServers(), "it-over", "{ wait: 10s, after-root: 10s, idle: 10s, check-interval: 200ms }",
          "", KafkaTestSupport.CORE_RULES);
      Files.writeString(config, Files.readString(config)
          + "stress: { max-buffered-bytes: 1MiB, high-watermark: 90%, low-watermark: 50% }\n");
      Path log = dir.resolve("node.log");
      Process child = KafkaTestSupport.startRun(config, log, java.util.Map.of());

      InferenceWorkload workload = new InferenceWorkload(99, 0.05, 0.0, 0.0);
      Set<String> errors = new HashSet<>();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(java.util.Map.of(
          "bootstrap.servers", broker.bootstrapServers(), "linger.ms", 20),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        long start = System.nanoTime();
        long sentTraces = 0;
        while (System.nanoTime() - start < Duration.ofSeconds(30).toNanos()) {
          long due = (System.nanoTime() - start) * 800 / 1_000_000_000L;
          if (sentTraces + 10 > due) {
            Thread.sleep(5);
            continue;
          }
          ExportTraceServiceRequest.Builder r = ExportTraceServiceRequest.newBuilder();
          for (int i = 0; i < 10; i++) {
            InferenceWorkload.Trace t = workload.next();
            if (t.kind() == InferenceWorkload.Kind.ERROR) {
              errors.add(TraceIds.hex(t.traceId()));
            }
            for (ResourceSpans rs : t.resources()) {
              r.addResourceSpans(rs);
            }
          }
          producer.send(new ProducerRecord<>("it-over-in", r.build().toByteArray()));
          sentTraces += 10;
        }
      }
      try {
        KafkaTestSupport.awaitAllConsumed(broker.bootstrapServers(), "it-over",
            List.of("it-over-in", "it-over-by-trace"), Duration.ofSeconds(120), child, log);
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end && !Files.readString(log).contains("stress relief off")) {
          Thread.sleep(500);
        }
        String text = Files.readString(log);
        assertThat(text).as(text).contains("stress relief on").contains("stress relief off")
            .doesNotContain("OutOfMemoryError");
        assertThat(child.isAlive()).isTrue();

        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
            "it-over-out", r -> keys(r).containsAll(errors), Duration.ofSeconds(3), Duration.ofSeconds(90));
        assertThat(keys(out)).as("every error trace kept").containsAll(errors);
        assertThat(out.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList())
            .as("each trace once (none split here: small traces)").doesNotHaveDuplicates();
        assertThat(out).anySatisfy(r -> assertThat(r.headers().lastHeader("tailstream.stressed")).isNotNull());
        long stressed = out.stream().filter(r -> r.headers().lastHeader("tailstream.stressed") != null).count();
        Files.writeString(Path.of("target", "fault-report.txt"), String.format(
            "%-34s %,d error traces sent, all kept; %,d traces kept under stress; %s%n", "overload 10x for 30 s",
            errors.size(), stressed, text.lines().filter(l -> l.contains("stress relief")).map(String::strip).toList()),
            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      } finally {
        child.destroy();
        child.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static Set<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> out = new HashSet<>();
    records.forEach(r -> out.add(new String(r.key(), StandardCharsets.UTF_8)));
    return out;
  }
}
