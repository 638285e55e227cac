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
      try (TailstreamApp app = TailstreamApp.create(ConfigLoader.load(config, Map.of()))) {
        app.start();
        KafkaTestSupport.SteadyErrorLoad load =
            new KafkaTestSupport.SteadyErrorLoad(broker.bootstrapServers(), "it-restart-in", 90_000);
        Thread.sleep(6_000);
        broker.restart(Duration.ofSeconds(3));
        long restarted = System.nanoTime();
        int before = KafkaTestSupport.consume(broker.bootstrapServers(), "it-restart-out", r -> true,
            Duration.ofMillis(300), Duration.ofSeconds(2)).size();
        KafkaTestSupport.consume(broker.bootstrapServers(), "it-restart-out", r -> r.size() > before + 20,
            Duration.ZERO, Duration.ofSeconds(90));
        Duration recovery = Duration.ofNanos(System.nanoTime() - restarted);
        Thread.sleep(4_000);
        load.stop();
        Map<String, Integer> sent = load.acknowledged;
        assertThat(sent).hasSizeGreaterThan(400);

        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
            "it-restart-out", r -> r.size() >= sent.size(), Duration.ofSeconds(3), Duration.ofSeconds(120));
        Map<String, Integer> kept = KafkaTestSupport.spansPerTrace(out);
        KafkaTestSupport.report("broker restart (3 s down) under load", sent, kept, recovery);
        assertThat(kept).as("every acknowledged trace whole, none twice").isEqualTo(sent);
        assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
      }
    }
  }
}
