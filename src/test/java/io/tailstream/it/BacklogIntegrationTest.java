package io.tailstream.it;

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
 * Guarantee (issue 15, section 1): the same input records yield the same kept traces, each
 * whole, whether read live or as a backlog. One paced load ({@link SpreadTraces}: null keys, 4
 * partitions, every trace cut into three pieces on three partitions 0.4 s apart, deterministic
 * rules only) writes each record, with the same partition and the same explicit timestamp, to
 * two input topics: one is read live by a {@code run} of one application id while the load
 * runs, the other is left alone until the load has ended and the live run has stopped, and then
 * drained as a backlog by a {@code run} of a second application id on the same broker. The
 * backlog run's kept traces (ids and span sets) must be identical to the live run's, neither
 * with a late span; and the live run must keep what the rules keep, so the comparison is not
 * between two equally wrong outputs.
 */
class BacklogIntegrationTest {
  private static final String DECISION = "{ wait: 3s, after-root: 2s, idle: 2s, check-interval: 100ms }";
  private static final String LIVE = "it-live";
  private static final String BACKLOG = "it-backlog";
  private static final Duration TRAFFIC = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  @Test
  void aBacklogKeepsExactlyWhatALiveRunOverTheSameRecordsKeeps() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      String bootstrap = broker.bootstrapServers();
      broker.createTopics(4, LIVE + "-in", BACKLOG + "-in");
      broker.createTopics(3, LIVE + "-out", LIVE + "-dlq", BACKLOG + "-out", BACKLOG + "-dlq");
      Path liveConfig = config(bootstrap, LIVE);
      Path backlogConfig = config(bootstrap, BACKLOG);
      Path liveLog = dir.resolve("live.log");
      Path backlogLog = dir.resolve("backlog.log");
      SoftAssertions softly = new SoftAssertions();

      Process live = KafkaTestSupport.startRun(liveConfig, liveLog, Map.of());
      Process backlog = null;
      PacedLoad load = null;
      try {
        AdminEndpoint liveAdmin = AdminEndpoint.fromLog(liveLog, live, Duration.ofSeconds(60));
        softly.assertThat(liveAdmin.awaitReady(Duration.ofSeconds(60))).as("live run running").isTrue();
        load = new PacedLoad(bootstrap, new SpreadTraces(21, 4, 2), LIVE + "-in", BACKLOG + "-in");
        Thread.sleep(TRAFFIC.toMillis());
        load.stop();
        Map<String, Set<String>> expected = load.expected();
        softly.assertThat(load.failures()).as("sends refused: %s", load.firstFailure()).isZero();

        KeptTraces liveKept = KeptTraces.of(KafkaTestSupport.consume(bootstrap, LIVE + "-out",
            r -> r.size() >= expected.size(), Duration.ofSeconds(5), Duration.ofSeconds(60)));
        long liveLate = liveAdmin.lateSpans();
        live.destroy(); // SIGTERM: the backlog run has the machine to itself
        live.waitFor(30, TimeUnit.SECONDS);

        backlog = KafkaTestSupport.startRun(backlogConfig, backlogLog, Map.of());
        AdminEndpoint backlogAdmin = AdminEndpoint.fromLog(backlogLog, backlog, Duration.ofSeconds(60));
        softly.assertThat(backlogAdmin.awaitReady(Duration.ofSeconds(60))).as("backlog run running").isTrue();
        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(bootstrap, BACKLOG + "-out",
            r -> r.size() >= liveKept.spans().size(), Duration.ofSeconds(5), Duration.ofSeconds(30));
        KeptTraces backlogKept = KeptTraces.of(out);
        long backlogLate = backlogAdmin.lateSpans();

        KeptTraces.Comparison liveResult = liveKept.against(expected);
        KeptTraces.Comparison backlogResult = backlogKept.against(liveKept.spanSets());
        KafkaTestSupport.report("backlog vs live, same records",
            KafkaTestSupport.spanCounts(liveKept.spanSets()), backlogKept.spanCounts(), null);
        softly.assertThat(liveResult.exact()).as("live run against the rules (sent %s): %s%nlog:%n%s",
            load.sent(), liveResult.summary(), KafkaTestSupport.tail(liveLog, 30)).isTrue();
        softly.assertThat(backlogResult.exact()).as("backlog run against the live run: %s%nlog:%n%s",
            backlogResult.summary(), KafkaTestSupport.tail(backlogLog, 30)).isTrue();
        softly.assertThat(liveLate).as("late spans counted by the live run").isZero();
        softly.assertThat(backlogLate).as("late spans counted by the backlog run").isZero();
        softly.assertAll();
      } finally {
        if (load != null) {
          load.stop();
        }
        live.destroyForcibly();
        if (backlog != null) {
          backlog.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
      }
    }
  }

  private Path config(String bootstrap, String app) throws Exception {
    return KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve(app)), bootstrap, app, DECISION,
        "", SpreadTraces.RULES, Map.of(), true);
  }
}
