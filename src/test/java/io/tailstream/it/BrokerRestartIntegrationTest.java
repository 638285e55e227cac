package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.TraceIds;
import io.tailstream.testing.Spans;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker restarts (same ports, same log directory) in the middle of a steady load: tailstream
 * recovers by itself, and every error trace sent — before, during and after — comes out whole,
 * exactly once.
 */
class BrokerRestartIntegrationTest {
  @TempDir
  Path dir;

  @Test
  void recoversFromABrokerRestartWithoutLosingOrRepeatingSpans() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      Path config = KafkaTestSupport.writeConfig(dir, broker.bootstrapServers(), "it-restart",
          "{ wait: 5s, after-root: 2s, idle: 2s, check-interval: 100ms }", "");
      Map<String, Integer> sent = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      try (TailstreamApp app = TailstreamApp.create(ConfigLoader.load(config, Map.of()))) {
        app.start();
        Thread load = new Thread(() -> {
          try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
              "bootstrap.servers", broker.bootstrapServers(), "acks", "all",
              "enable.idempotence", true, "delivery.timeout.ms", 120_000),
              new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; !stop.get(); i++) {
              byte[] id = Spans.traceId(90_000 + i);
              ExportTraceServiceRequest r = Spans.request(
                  Spans.resource("gateway", "http", Spans.error(Spans.span(id, 1, null, "GET /" + i, 0, 5))),
                  Spans.resource("worker", "jobs", Spans.span(id, 2, 1, "work", 1, 3)));
              String hex = TraceIds.hex(id);
              producer.send(new ProducerRecord<>("it-restart-in", r.toByteArray()), (md, e) -> {
                if (e == null) {
                  sent.put(hex, 2);
                }
              });
              Thread.sleep(20);
            }
            producer.flush();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, "load");
        load.start();
        Thread.sleep(6_000);
        broker.restart(Duration.ofSeconds(3));
        Thread.sleep(8_000);
        stop.set(true);
        load.join(130_000);
        assertThat(sent).hasSizeGreaterThan(400);

        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
            "it-restart-out", r -> r.size() >= sent.size(), Duration.ofSeconds(3), Duration.ofSeconds(120));
        Map<String, Integer> kept = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
          kept.merge(new String(r.key(), StandardCharsets.UTF_8),
              Spans.spanCount(ExportTraceServiceRequest.parseFrom(r.value())), Integer::sum);
        }
        assertThat(kept).as("every acknowledged trace whole, none twice").isEqualTo(sent);
        assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
      }
    }
  }
}
