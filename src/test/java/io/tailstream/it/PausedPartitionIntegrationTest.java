package io.tailstream.it;

import io.tailstream.embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guarantee (issue 15, section 1): a paused input partition splits no trace. Two {@code run}
 * instances of one application (Kafka defaults: no static membership, 45 s session) share null-key
 * input of 4 partitions, each owning some split tasks (input partitions) and some buffer-and-decide
 * tasks; every trace of the load ({@link SpreadTraces}) has pieces on three partitions, so each
 * buffer task holds traces with fragments still to come from the other instance's input
 * partitions. One instance is frozen with SIGSTOP for 2 × {@code wait} (well inside its session,
 * so no rebalance happens) and resumed with SIGCONT. The other instance's buffer tasks must not
 * decide a trace while its fragments sit unread in the frozen instance's partitions: every trace
 * the rules keep comes out once, whole, in one piece (no output record marked late, no late span
 * counted by either instance), and no other trace.
 */
class PausedPartitionIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(3);
  private static final String DECISION = "{ wait: 3s, after-root: 2s, idle: 2s, check-interval: 100ms }";
  private static final String APP = "it-paused";

  @TempDir
  Path dir;

  @Test
  void anInstanceFrozenForTwoWaitsSplitsNoTraceOfTheOther() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      String bootstrap = broker.bootstrapServers();
      broker.createTopics(4, APP + "-in");
      broker.createTopics(3, APP + "-out", APP + "-dlq");
      Path logA = dir.resolve("a.log");
      Path logB = dir.resolve("b.log");
      Process a = KafkaTestSupport.startRun(config(bootstrap, "a"), logA, Map.of());
      Process b = KafkaTestSupport.startRun(config(bootstrap, "b"), logB, Map.of());
      PacedLoad load = null;
      try {
        AdminEndpoint adminA = AdminEndpoint.fromLog(logA, a, Duration.ofSeconds(60));
        AdminEndpoint adminB = AdminEndpoint.fromLog(logB, b, Duration.ofSeconds(60));
        Map<String, Set<TopicPartition>> owned = GroupAssignment.awaitShared(admin, APP, APP + "-in",
            Map.of("a", adminA, "b", adminB), Duration.ofSeconds(120));
        Set<Integer> frozenInputs = GroupAssignment.inputPartitions(owned.get("b"), APP + "-in");
        long rebalancesBefore = GroupAssignment.rebalances(logA) + GroupAssignment.rebalances(logB);

        load = new PacedLoad(bootstrap, new SpreadTraces(33, 4, 2), APP + "-in");
        Thread.sleep(5_000);
        KafkaTestSupport.signal(b, "STOP");
        try {
          Thread.sleep(WAIT.multipliedBy(2).toMillis());
        } finally {
          KafkaTestSupport.signal(b, "CONT");
        }
        Thread.sleep(5_000);
        load.stop();
        Map<String, Set<String>> expected = load.expected();

        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(bootstrap, APP + "-out",
            r -> r.size() >= expected.size(), Duration.ofSeconds(5), Duration.ofSeconds(30));
        KeptTraces kept = KeptTraces.of(out);
        KeptTraces.Comparison result = kept.against(expected);
        KafkaTestSupport.report("paused instance 2x wait", KafkaTestSupport.spanCounts(expected),
            kept.spanCounts(), null);

        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(load.failures()).as("sends refused: %s", load.firstFailure()).isZero();
        softly.assertThat(GroupAssignment.rebalances(logA) + GroupAssignment.rebalances(logB)).as("no rebalance during the pause")
            .isEqualTo(rebalancesBefore);
        softly.assertThat(result.exact()).as("b (input partitions %s) frozen for %s; sent %s; %s%n"
                + "a's log:%n%s%nb's log:%n%s", frozenInputs, WAIT.multipliedBy(2), load.sent(),
            result.summary(), KafkaTestSupport.tail(logA, 25), KafkaTestSupport.tail(logB, 25)).isTrue();
        softly.assertThat(adminA.lateSpans()).as("late spans counted by a").isZero();
        softly.assertThat(adminB.lateSpans()).as("late spans counted by b").isZero();
        softly.assertAll();
      } finally {
        if (load != null) {
          load.stop();
        }
        if (b.isAlive()) {
          KafkaTestSupport.signal(b, "CONT"); // never leave a frozen child behind
        }
        a.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        b.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  private Path config(String bootstrap, String name) throws Exception {
    // client.id only names the instance's consumers, so the group's members can be told apart.
    return KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve(name)), bootstrap, APP, DECISION,
        "", SpreadTraces.RULES, Map.of("client.id", name), true);
  }
}
