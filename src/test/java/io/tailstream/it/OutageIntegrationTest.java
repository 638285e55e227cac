package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guarantee (issue 15, section 1): an outage of any length within the input's retention loses,
 * doubles and splits nothing. A lone {@code run} is killed with SIGKILL under steady load and a
 * new one is started with the same config and state directory after a downtime of 3 × {@code
 * wait}, with Kafka's default settings (no static membership, default session timeout: the new
 * instance gets the tasks only once the dead member's 45 s session has ended, so the outage lasts
 * about 45 s). The load ({@link SpreadTraces}: null keys, 4 partitions, every trace cut into
 * three pieces on three partitions 0.4 s apart) runs before the kill, through the downtime and on
 * after the restart; then every trace the rules keep, computed from the workload, must come out
 * exactly once with exactly all its spans, none late, and no other trace.
 */
class OutageIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(3);
  private static final String DECISION = "{ wait: 3s, after-root: 2s, idle: 2s, check-interval: 100ms }";
  private static final String APP = "it-outage";

  @TempDir
  Path dir;

  @Test
  void aKilledInstanceRestartedAfterThreeWaitsKeepsEveryTraceWholeAndOnce() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      String bootstrap = broker.bootstrapServers();
      broker.createTopics(4, APP + "-in");
      broker.createTopics(3, APP + "-out", APP + "-dlq");
      // Kafka defaults: no group instance id, no session or transaction timeout of our own.
      Path config = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve("node")), bootstrap,
          APP, DECISION, "", SpreadTraces.RULES, Map.of(), true);
      Path firstLog = dir.resolve("first.log");
      Path secondLog = dir.resolve("second.log");
      Process first = KafkaTestSupport.startRun(config, firstLog, Map.of());
      Process second = null;
      PacedLoad load = null;
      try {
        AdminEndpoint firstAdmin = AdminEndpoint.fromLog(firstLog, first, Duration.ofSeconds(60));
        assertThat(firstAdmin.awaitReady(Duration.ofSeconds(60)))
            .as("first instance running; log:%n%s", KafkaTestSupport.tail(firstLog, 80)).isTrue();
        load = new PacedLoad(bootstrap, new SpreadTraces(15, 4, 2), APP + "-in");

        // Kept traces flow before the kill, so some traces are decided, some buffered, some half sent.
        KafkaTestSupport.consume(bootstrap, APP + "-out", r -> r.size() >= 30, Duration.ZERO,
            Duration.ofSeconds(60));
        first.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        Thread.sleep(WAIT.multipliedBy(3).toMillis());

        long restarted = System.nanoTime();
        second = KafkaTestSupport.startRun(config, secondLog, Map.of());
        AdminEndpoint secondAdmin = AdminEndpoint.fromLog(secondLog, second, Duration.ofSeconds(60));
        Thread.sleep(5_000); // spans sent after the restart too
        load.stop();
        Map<String, Set<String>> expected = load.expected();

        // The dead member's session (45 s by default) ends before the new instance gets its tasks.
        boolean running = secondAdmin.awaitReady(Duration.ofSeconds(120));
        Duration recovery = Duration.ofNanos(System.nanoTime() - restarted);
        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(bootstrap, APP + "-out",
            r -> r.size() >= expected.size(), Duration.ofSeconds(5), Duration.ofSeconds(30));
        KeptTraces kept = KeptTraces.of(out);
        KeptTraces.Comparison result = kept.against(expected);
        KafkaTestSupport.report("outage 3x wait, default membership",
            KafkaTestSupport.spanCounts(expected), kept.spanCounts(), recovery);
        long lateAfterRestart = running ? secondAdmin.lateSpans() : -1;

        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(load.failures()).as("sends refused: %s", load.firstFailure()).isZero();
        softly.assertThat(running).as("restarted instance running; log:%n%s", KafkaTestSupport.tail(secondLog, 80))
            .isTrue();
        softly.assertThat(result.exact()).as("sent %s; %s%nrestarted instance's log:%n%s", load.sent(),
            result.summary(), KafkaTestSupport.tail(secondLog, 40)).isTrue();
        softly.assertThat(lateAfterRestart).as("late spans counted by the restarted instance").isZero();
        softly.assertAll();
      } finally {
        if (load != null) {
          load.stop();
        }
        first.destroyForcibly();
        if (second != null) {
          second.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
      }
    }
  }
}
