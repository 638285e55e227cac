package io.tailstream.it;

import io.tailstream.embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The setting of the tests that stop one of two {@code run} instances of an application
 * (PausedPartitionIntegrationTest, DeadPeerIntegrationTest): null-key input of 4 partitions that
 * both read, {@link SpreadTraces} rules and a 3 s {@code wait}, and the comparison of what came
 * out with what the load sent.
 */
final class SharedInput {
  static final Duration WAIT = Duration.ofSeconds(3);
  private static final String DECISION = "{ wait: 3s, after-root: 2s, idle: 2s, check-interval: 100ms }";

  final String app;
  final String bootstrap;
  private final Path dir;

  SharedInput(EmbeddedKafkaBroker broker, String app, Path dir) throws Exception {
    this.app = app;
    this.bootstrap = broker.bootstrapServers();
    this.dir = dir;
    broker.createTopics(4, input());
    broker.createTopics(3, app + "-out", app + "-dlq");
  }

  String input() {
    return app + "-in";
  }

  /** Instance {@code name}'s config, in its own state directory. */
  Path config(String name) throws Exception {
    // client.id only names the instance's consumers, so the group's members can be told apart.
    return KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve(name)), bootstrap, app, DECISION,
        "", SpreadTraces.RULES, Map.of("client.id", name), true);
  }

  /** The output once every trace the load expects is there (or 30 s passed), against what it expects. */
  KeptTraces.Comparison outcome(PacedLoad load, String fault) throws Exception {
    Map<String, java.util.Set<String>> expected = load.expected();
    List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(bootstrap, app + "-out",
        r -> r.size() >= expected.size(), Duration.ofSeconds(5), Duration.ofSeconds(30));
    KeptTraces kept = KeptTraces.of(out);
    KafkaTestSupport.report(fault, KafkaTestSupport.spanCounts(expected), kept.spanCounts(), null);
    return kept.against(expected);
  }
}
