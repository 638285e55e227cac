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
 * Under steady load a second instance joins (tasks move to it, with their buffered traces), then
 * the first leaves (static members: its tasks move when its session ends): every acknowledged
 * error trace comes out whole, exactly once.
 */
class RebalanceIntegrationTest {
  @TempDir
  Path dir;

  private TailstreamApp instance(EmbeddedKafkaBroker broker, String name) throws Exception {
    Path config = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve(name)),
        broker.bootstrapServers(), "it-rebalance", "{ wait: 5s, after-root: 2s, idle: 2s, check-interval: 100ms }", "");
    return TailstreamApp.create(ConfigLoader.load(config, Map.of("TAILSTREAM_KAFKA_GROUP_INSTANCE_ID", name)));
  }

  @Test
  void anInstanceJoinsAndAnotherLeavesUnderLoad() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      Map<String, Integer> sent = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      TailstreamApp first = instance(broker, "first");
      first.start();
      Thread load = new Thread(() -> {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            "bootstrap.servers", broker.bootstrapServers(), "acks", "all"),
            new ByteArraySerializer(), new ByteArraySerializer())) {
          for (int i = 0; !stop.get(); i++) {
            byte[] id = Spans.traceId(70_000 + i);
            ExportTraceServiceRequest r = Spans.request(
                Spans.resource("gateway", "http", Spans.error(Spans.span(id, 1, null, "GET /" + i, 0, 5))),
                Spans.resource("worker", "jobs", Spans.span(id, 2, 1, "work", 1, 3)));
            String hex = TraceIds.hex(id);
            producer.send(new ProducerRecord<>("it-rebalance-in", r.toByteArray()), (md, e) -> {
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
      try (TailstreamApp second = instance(broker, "second")) {
        Thread.sleep(5_000);
        second.start();
        Thread.sleep(8_000);
        first.close(); // leaves while traces are buffered
        Thread.sleep(10_000);
        stop.set(true);
        load.join(30_000);
        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
            "it-rebalance-out", r -> r.size() >= sent.size(), Duration.ofSeconds(3), Duration.ofSeconds(90));
        Map<String, Integer> kept = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : out) {
          kept.merge(new String(r.key(), StandardCharsets.UTF_8),
              Spans.spanCount(ExportTraceServiceRequest.parseFrom(r.value())), Integer::sum);
        }
        assertThat(sent).hasSizeGreaterThan(500);
        assertThat(kept).as("every acknowledged trace whole, none twice").isEqualTo(sent);
        assertThat(second.state()).isEqualTo(KafkaStreams.State.RUNNING);
      } finally {
        first.close();
      }
    }
  }
}
