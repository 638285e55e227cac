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
 * Guarantee (issue 15, section 1): a buffer-and-decide task's clock holds while a source
 * partition's split task runs nowhere. Two {@code run} instances with static membership (as the
 * StatefulSet deploys them; default 45 s session) share null-key input of 4 partitions, each
 * owning some split and some buffer-and-decide tasks. One is killed with SIGKILL and restarted
 * with its state directory and instance id after 3 × {@code wait}: all that time (and its start)
 * its input partitions are read by no one, since a static member keeps its tasks until its
 * session ends, while the survivor keeps reading its own partitions and announcing their
 * progress. Unlike a frozen instance (PausedPartitionIntegrationTest) the dead one's open
 * transaction is aborted and its split tasks start again from their last commit. The survivor
 * must decide no trace whose fragments wait in the dead instance's partitions: every trace the
 * rules keep ({@link SpreadTraces}) comes out once, whole, in one piece, and no other trace.
 */
class DeadPeerIntegrationTest {
  private static final Duration WAIT = SharedInput.WAIT;
  private static final String APP = "it-dead-peer";

  @TempDir
  Path dir;

  @Test
  void theSurvivorDecidesNothingAheadOfADeadPeersPartitions() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      SharedInput shared = new SharedInput(broker, APP, dir);
      String bootstrap = shared.bootstrap;
      Path configA = shared.config("a");
      Path configB = shared.config("b");
      Path logA = dir.resolve("a.log");
      Path logB = dir.resolve("b.log");
      Path logB2 = dir.resolve("b-restarted.log");
      Process a = run(configA, logA, "a");
      Process b = run(configB, logB, "b");
      Process restarted = null;
      PacedLoad load = null;
      try {
        AdminEndpoint adminA = AdminEndpoint.fromLog(logA, a, Duration.ofSeconds(60));
        AdminEndpoint adminB = AdminEndpoint.fromLog(logB, b, Duration.ofSeconds(60));
        Map<String, Set<TopicPartition>> owned = GroupAssignment.awaitShared(admin, APP, shared.input(),
            Map.of("a", adminA, "b", adminB), Duration.ofSeconds(120));
        Set<Integer> orphaned = GroupAssignment.inputPartitions(owned.get("b"), shared.input());

        load = new PacedLoad(bootstrap, new SpreadTraces(47, 4, 2), shared.input());
        Thread.sleep(5_000);
        b.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        Thread.sleep(WAIT.multipliedBy(3).toMillis());
        restarted = run(configB, logB2, "b");
        AdminEndpoint adminB2 = AdminEndpoint.fromLog(logB2, restarted, Duration.ofSeconds(60));
        boolean back = adminB2.awaitReady(Duration.ofSeconds(60));
        Thread.sleep(3_000);
        load.stop();
        KeptTraces.Comparison result = shared.outcome(load, "dead peer 3x wait, static members");

        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(load.failures()).as("sends refused: %s", load.firstFailure()).isZero();
        softly.assertThat(back).as("b running again; log:%n%s", KafkaTestSupport.tail(logB2, 60)).isTrue();
        softly.assertThat(result.exact()).as("b (input partitions %s) dead for %s; sent %s; %s%n"
                + "a's log:%n%s%nrestarted b's log:%n%s", orphaned, WAIT.multipliedBy(3), load.sent(),
            result.summary(), KafkaTestSupport.tail(logA, 25), KafkaTestSupport.tail(logB2, 25)).isTrue();
        softly.assertThat(adminA.lateSpans()).as("late spans counted by a (%s)", adminA.inputTiming()).isZero();
        if (back) {
          softly.assertThat(adminB2.lateSpans()).as("late spans counted by the restarted b (%s)", adminB2.inputTiming())
              .isZero();
        }
        softly.assertAll();
      } finally {
        if (load != null) {
          load.stop();
        }
        a.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        b.destroyForcibly();
        if (restarted != null) {
          restarted.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static Process run(Path config, Path log, String name) throws Exception {
    return KafkaTestSupport.startRun(config, log, Map.of("TAILSTREAM_KAFKA_GROUP_INSTANCE_ID", name));
  }

}
