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
      TailstreamApp first = instance(broker, "first");
      first.start();
      KafkaTestSupport.SteadyErrorLoad load =
          new KafkaTestSupport.SteadyErrorLoad(broker.bootstrapServers(), "it-rebalance-in", 70_000);
      try (TailstreamApp second = instance(broker, "second")) {
        Thread.sleep(5_000);
        second.start();
        Thread.sleep(8_000);
        first.close(); // leaves while traces are buffered
        long left = System.nanoTime();
        int before = KafkaTestSupport.consume(broker.bootstrapServers(), "it-rebalance-out", r -> true,
            Duration.ofMillis(300), Duration.ofSeconds(2)).size();
        KafkaTestSupport.consume(broker.bootstrapServers(), "it-rebalance-out", r -> r.size() > before + 20,
            Duration.ZERO, Duration.ofSeconds(90));
        Duration recovery = Duration.ofNanos(System.nanoTime() - left);
        Thread.sleep(4_000);
        load.stop();
        Map<String, Integer> sent = load.acknowledged;
        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
            "it-rebalance-out", r -> r.size() >= sent.size(), Duration.ofSeconds(3), Duration.ofSeconds(90));
        assertThat(sent).hasSizeGreaterThan(500);
        Map<String, Integer> kept = KafkaTestSupport.spansPerTrace(out);
        KafkaTestSupport.report("rebalance: join, then leave, under load", sent, kept, recovery);
        assertThat(kept).as("every acknowledged trace whole, none twice").isEqualTo(sent);
        assertThat(second.state()).isEqualTo(KafkaStreams.State.RUNNING);
      } finally {
        first.close();
      }
    }
  }
}
