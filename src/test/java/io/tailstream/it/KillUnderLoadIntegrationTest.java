package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of a {@code run} process in the middle of a steady load, then a restart of the same
 * instance (same state directory, same static group membership): kept traces flow again within
 * 20 s (about 6 s on a quiet machine: JVM start, rebuild, then {@code wait}; the margin is for 2
 * busy cores, where it took 11 s once), and every acknowledged error trace comes out whole,
 * exactly once.
 */
class KillUnderLoadIntegrationTest {
  @TempDir
  Path dir;

  private static Process run(Path config, Path log) throws Exception {
    return KafkaTestSupport.startRun(config, log, Map.of("TAILSTREAM_KAFKA_GROUP_INSTANCE_ID", "node-1"));
  }

  @Test
  void killedMidLoadAndRestartedTheSameInstanceLosesNothingAndRecoversFast() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      broker.createTopics(3, "it-kill-in", "it-kill-out", "it-kill-dlq");
      Path config = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve("node")),
          broker.bootstrapServers(), "it-kill", "{ wait: 4s, after-root: 2s, idle: 2s, check-interval: 100ms }", "");
      Path log = dir.resolve("node.log");
      Process first = run(config, log);
      KafkaTestSupport.SteadyErrorLoad load =
          new KafkaTestSupport.SteadyErrorLoad(broker.bootstrapServers(), "it-kill-in", 40_000);
      Process second = null;
      try {
        KafkaTestSupport.consume(broker.bootstrapServers(), "it-kill-out", r -> r.size() > 50,
            Duration.ZERO, Duration.ofSeconds(60));
        first.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        int keptBefore = KafkaTestSupport.consume(broker.bootstrapServers(), "it-kill-out", r -> true,
            Duration.ofMillis(300), Duration.ofSeconds(2)).size();

        long restarted = System.nanoTime();
        second = run(config, log);
        KafkaTestSupport.consume(broker.bootstrapServers(), "it-kill-out", r -> r.size() > keptBefore + 20,
            Duration.ZERO, Duration.ofSeconds(60));
        Duration recovery = Duration.ofNanos(System.nanoTime() - restarted);
        Thread.sleep(3_000);
        load.stop();
        Map<String, Integer> sent = load.acknowledged;

        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
            "it-kill-out", r -> r.size() >= sent.size(), Duration.ofSeconds(3), Duration.ofSeconds(90));
        Map<String, Integer> kept = KafkaTestSupport.spansPerTrace(out);
        KafkaTestSupport.report("kill -9 under load, same instance", sent, kept, recovery);
        assertThat(kept).as("every acknowledged trace whole, none twice; log:%n%s",
            Files.readString(log)).isEqualTo(sent);
        assertThat(recovery).as("kept traces flow again after the restart").isLessThan(Duration.ofSeconds(20));
      } finally {
        load.stop();
        first.destroyForcibly();
        if (second != null) {
          second.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
      }
    }
  }
}
