package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.adapt.Boost;
import io.tailstream.adapt.ControlRefusal.Reason;
import io.tailstream.app.TailstreamApp;
import io.tailstream.cli.Main;
import io.tailstream.config.ConfigLoader;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.metrics.TailstreamMetrics;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
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

  /**
   * What a plain console producer and careless hands write, on a real broker: the instance stays
   * up and counts each refusal, and a restarted instance, which replays the topic through the
   * same processor before it starts, refuses them again instead of failing, and applies the
   * good boost.
   */
  @Test
  void hostileControlRecordsAreRefusedAndCountedAndARestartedInstanceStillStarts() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      String decision = "{ wait: 3s, after-root: 1s, idle: 1s, check-interval: 100ms }";
      Path config = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve("hostile")),
          broker.bootstrapServers(), "it-hostile", decision, "", RULES);
      String topic = "it-hostile-control";
      // Created by hand with the broker's defaults (delete, not compact): a compacted topic, as
      // tailstream creates it, refuses keyless records at the broker already.
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
      }
      TailstreamApp first = TailstreamApp.create(ConfigLoader.load(config, Map.of()));
      try {
        first.start();
        await(() -> first.state() == KafkaStreams.State.RUNNING, Duration.ofSeconds(60));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            "bootstrap.servers", broker.bootstrapServers(), "acks", "all"),
            new StringSerializer(), new ByteArraySerializer())) {
          for (ProducerRecord<String, byte[]> r : List.<ProducerRecord<String, byte[]>>of(
              new ProducerRecord<>(topic, null, utf8(
                  "{\"action\":\"boost\",\"id\":\"inc-1\",\"keep-all\":true,\"ttl\":\"10m\"}")),
              new ProducerRecord<>(topic, "bad-1", utf8("{\"action\":\"boost\",\"sample\":null,\"ttl\":\"10m\"}")),
              new ProducerRecord<>(topic, "bad-2", utf8("{\"action\":\"boost\",\"keep-all\":{},\"ttl\":\"10m\"}")),
              new ProducerRecord<>(topic, "bad-3", new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1}),
              new ProducerRecord<>(topic, "inc-8", utf8("{\"action\":\"boost\",\"scope\":{\"service\":"
                  + "\"ranker\"},\"keep-all\":true,\"ttl\":\"10m\"}")))) {
            producer.send(r).get(30, TimeUnit.SECONDS);
          }
        }
        await(() -> !first.rules().current().boosts().active(System.currentTimeMillis()).isEmpty(),
            Duration.ofSeconds(20));
        assertThat(first.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(first.rules().current().boosts().active(System.currentTimeMillis()))
            .extracting(Boost::id).containsExactly("inc-8");
        TailstreamMetrics m = first.metrics();
        assertThat(m.controlRejectedCount(Reason.NO_KEY)).isEqualTo(1);
        assertThat(m.controlRejectedCount(Reason.INVALID)).isEqualTo(2);
        assertThat(m.controlRejectedCount(Reason.NOT_JSON)).isEqualTo(1);
      } finally {
        first.close();
      }

      TailstreamApp restarted = TailstreamApp.create(ConfigLoader.load(config, Map.of()));
      try {
        restarted.start();
        await(() -> restarted.state() == KafkaStreams.State.RUNNING, Duration.ofSeconds(60));
        assertThat(restarted.rules().current().boosts().active(System.currentTimeMillis()))
            .extracting(Boost::id).containsExactly("inc-8");
        // Kafka Streams skips the keyless record when it replays the topic; the rest are refused again.
        assertThat(restarted.metrics().controlRejectedCount(Reason.INVALID)).isEqualTo(2);
        assertThat(restarted.metrics().controlRejectedCount(Reason.NOT_JSON)).isEqualTo(1);
      } finally {
        restarted.close();
      }
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
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
