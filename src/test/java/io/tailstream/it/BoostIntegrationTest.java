package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.app.TailstreamApp;
import io.tailstream.cli.Main;
import io.tailstream.config.ConfigLoader;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.TraceIds;
import io.tailstream.testing.Spans;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's boost through the CLI reaches two running instances within 2 s, changes what
 * they keep for the boosted service only, shows in {@code boosts}, and ends with {@code cancel}.
 */
class BoostIntegrationTest {
  private static final String RULES = """
      rules:
        - name: errors
          keep: { error: true }
        - name: baseline
          sample: 0.1%
      """;

  @TempDir
  Path dir;

  @Test
  void anOperatorBoostAppliesOnEveryInstanceAndEndsWithCancel() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      String decision = "{ wait: 3s, after-root: 1s, idle: 1s, check-interval: 100ms }";
      List<TailstreamApp> apps = new ArrayList<>();
      try {
        for (String name : List.of("a", "b")) {
          Path config = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve(name)),
              broker.bootstrapServers(), "it-boost", decision, "", RULES);
          TailstreamApp app = TailstreamApp.create(ConfigLoader.load(config, Map.of()));
          app.start();
          apps.add(app);
        }
        await(() -> apps.stream().allMatch(a -> a.state() == KafkaStreams.State.RUNNING), Duration.ofSeconds(60));

        String out = run("boost", "--bootstrap-servers", broker.bootstrapServers(),
            "--control-topic", "it-boost-control", "--id", "inc-7", "--service", "ranker",
            "--keep-all", "--ttl", "10m", "--reason", "INC-7 ranker errors");
        assertThat(out).startsWith("boost inc-7: keep-all for service=ranker until ");
        long sent = System.nanoTime();
        await(() -> apps.stream().allMatch(a -> !a.rules().current().boosts()
            .active(System.currentTimeMillis()).isEmpty()), Duration.ofSeconds(10));
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("applied on both instances")
            .isLessThan(Duration.ofSeconds(2));
        assertThat(run("boosts", "--bootstrap-servers", broker.bootstrapServers(),
            "--control-topic", "it-boost-control")).contains("inc-7").contains("service=ranker")
            .contains("INC-7 ranker errors");

        Set<String> ranker = produce(broker, "ranker", 0, 60);
        Set<String> search = produce(broker, "search", 1000, 60);
        List<ConsumerRecord<byte[], byte[]>> kept = KafkaTestSupport.consume(broker.bootstrapServers(),
            "it-boost-out", r -> keys(r).containsAll(ranker), Duration.ofSeconds(2), Duration.ofSeconds(60));
        assertThat(keys(kept)).containsAll(ranker);
        assertThat(keys(kept)).as("the other service is not boosted").doesNotContainAnyElementsOf(search);
        // keep-all raised the baseline rule's rate to 100% for the ranker, on both instances.
        assertThat(apps).allSatisfy(a -> assertThat(a.metrics().keptByRule().getOrDefault("baseline", 0L))
            .as("each instance applied the boost").isPositive());

        // Head samplers and dashboards see the change on the rates topic.
        List<ConsumerRecord<byte[], byte[]>> rates = KafkaTestSupport.consume(broker.bootstrapServers(),
            "it-boost-rates", r -> keys(r).contains("rate:service=ranker"), Duration.ofMillis(500),
            Duration.ofSeconds(20));
        assertThat(keys(rates)).contains("rate:service=ranker", "jaeger:sampling-strategies");
        String change = rates.stream().filter(r -> new String(r.key(), StandardCharsets.UTF_8)
            .equals("rate:service=ranker")).map(r -> new String(r.value(), StandardCharsets.UTF_8))
            .findFirst().orElseThrow();
        assertThat(change).contains("\"new\":1.0").contains("\"cause\":\"boost:inc-7\"");

        run("cancel", "--bootstrap-servers", broker.bootstrapServers(), "--control-topic", "it-boost-control", "inc-7");
        await(() -> apps.stream().allMatch(a -> a.rules().current().boosts()
            .active(System.currentTimeMillis()).isEmpty()), Duration.ofSeconds(2));
        assertThat(run("boosts", "--bootstrap-servers", broker.bootstrapServers(),
            "--control-topic", "it-boost-control")).contains("no active boosts");
      } finally {
        apps.forEach(TailstreamApp::close);
      }
    }
  }

  private static Set<String> produce(EmbeddedKafkaBroker broker, String service, int first, int n) {
    List<byte[]> values = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = first; i < first + n; i++) {
      byte[] id = Spans.traceId(i);
      ids.add(TraceIds.hex(id));
      values.add(Spans.request(Spans.resource(service, "s", Spans.span(id, 1, null, "GET /x", 0, 5)))
          .toByteArray());
    }
    KafkaTestSupport.produce(broker.bootstrapServers(), "it-boost-in", values);
    return ids;
  }

  private static Set<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> out = new HashSet<>();
    records.forEach(r -> out.add(new String(r.key(), StandardCharsets.UTF_8)));
    return out;
  }

  private static void await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + timeout);
      }
      Thread.sleep(20);
    }
  }

  private static String run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      assertThat(Main.commandLine().execute(args)).as(String.join(" ", args)).isZero();
    } finally {
      System.setOut(previous);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

}
