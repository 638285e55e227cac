package io.tailstream.it;

import io.tailstream.embedded.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
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
  private static final Duration WAIT = SharedInput.WAIT;
  private static final String APP = "it-paused";

  @TempDir
  Path dir;

  @Test
  void anInstanceFrozenForTwoWaitsSplitsNoTraceOfTheOther() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      SharedInput shared = new SharedInput(broker, APP, dir);
      String bootstrap = shared.bootstrap;
      Path logA = dir.resolve("a.log");
      Path logB = dir.resolve("b.log");
      Process a = KafkaTestSupport.startRun(shared.config("a"), logA, Map.of());
      Process b = KafkaTestSupport.startRun(shared.config("b"), logB, Map.of());
      PacedLoad load = null;
      try {
        AdminEndpoint adminA = AdminEndpoint.fromLog(logA, a, Duration.ofSeconds(60));
        AdminEndpoint adminB = AdminEndpoint.fromLog(logB, b, Duration.ofSeconds(60));
        Map<String, Set<TopicPartition>> owned = GroupAssignment.awaitShared(admin, APP, shared.input(),
            Map.of("a", adminA, "b", adminB), Duration.ofSeconds(120));
        Set<Integer> frozenInputs = GroupAssignment.inputPartitions(owned.get("b"), shared.input());
        long rebalancesBefore = GroupAssignment.rebalances(logA) + GroupAssignment.rebalances(logB);

        load = new PacedLoad(bootstrap, new SpreadTraces(33, 4, 2), shared.input());
        Thread.sleep(5_000);
        KafkaTestSupport.signal(b, "STOP");
        try {
          Thread.sleep(WAIT.multipliedBy(2).toMillis());
        } finally {
          KafkaTestSupport.signal(b, "CONT");
        }
        Thread.sleep(5_000);
        load.stop();
        KeptTraces.Comparison result = shared.outcome(load, "paused instance 2x wait");

        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(load.failures()).as("sends refused: %s", load.firstFailure()).isZero();
        softly.assertThat(GroupAssignment.rebalances(logA) + GroupAssignment.rebalances(logB)).as("no rebalance during the pause")
            .isEqualTo(rebalancesBefore);
        softly.assertThat(result.exact()).as("b (input partitions %s) frozen for %s; sent %s; %s%n"
                + "a's log:%n%s%nb's log:%n%s", frozenInputs, WAIT.multipliedBy(2), load.sent(),
            result.summary(), KafkaTestSupport.tail(logA, 25), KafkaTestSupport.tail(logB, 25)).isTrue();
        softly.assertThat(adminA.lateSpans()).as("late spans counted by a (%s)", adminA.inputTiming()).isZero();
        softly.assertThat(adminB.lateSpans()).as("late spans counted by b (%s)", adminB.inputTiming()).isZero();
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

}
