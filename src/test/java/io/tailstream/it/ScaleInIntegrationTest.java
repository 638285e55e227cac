package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.TraceIds;
import io.tailstream.testing.Spans;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an autoscaler does, on a real broker with {@code run} child processes: under a steady
 * null-key load on 4 input partitions, instance A runs alone, instance B (same application id,
 * its own state directory) joins, then A gets SIGTERM.
 *
 * <p>Without static membership A leaves the group as it closes, so its tasks are B's within
 * seconds of its exit (before the fix they waited for A's session to time out: 45 s here, Kafka's
 * default). With static membership A stays in the group, so nothing moves until its session times
 * out: a pod back within it (a rolling restart) gets its tasks back with no rebalance. Either way,
 * every acknowledged trace comes out whole, exactly once.
 *
 * <p>Each trace's two spans travel in two records half a second apart (null keys, so usually on
 * different partitions): a trace whose root A has buffered while its child is still unread is
 * what a move must not split.
 *
 * <p>"A's tasks run on B" is read from outside, from the group as the coordinator describes it:
 * stable, none of A's members listed, and every partition the group consumed before is assigned.
 */
class ScaleInIntegrationTest {
  private static final String DECISION = "{ wait: 4s, after-root: 2s, idle: 2s, check-interval: 100ms }";
  private static final int INPUT_PARTITIONS = 4;
  /** The bound for a scale-in; the old behaviour is a whole session timeout. */
  private static final Duration MOVE_BOUND = Duration.ofSeconds(10);

  @TempDir
  Path dir;

  @Test
  void withoutStaticMembershipALeavingInstancesTasksMoveAtOnce() throws Exception {
    // Kafka's default session timeout (writeConfig's 6 s would hide a stall under the 10 s bound).
    Scenario s = new Scenario("it-scalein", Map.of(
        "TAILSTREAM_KAFKA_PROPERTIES", "session.timeout.ms=45000"), Map.of(), Map.of());
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      s.run(broker, (admin, exited) -> {
        Duration moved = s.awaitMoved(admin, exited, Duration.ofSeconds(70));
        return new Observed(moved, "leaving the consumer group", MOVE_BOUND);
      });
    }
  }

  @Test
  void aStaticMemberStaysInTheGroupWhenItCloses() throws Exception {
    // 14 s: above the 10 s watched below even counted from A's last heartbeat (at most 3 s
    // before its exit), short enough to let the session end soon after.
    Scenario s = new Scenario("it-scalein-static", Map.of(
        "TAILSTREAM_KAFKA_PROPERTIES", "session.timeout.ms=14000"),
        Map.of("TAILSTREAM_KAFKA_GROUP_INSTANCE_ID", "node-a"),
        Map.of("TAILSTREAM_KAFKA_GROUP_INSTANCE_ID", "node-b"));
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      s.run(broker, (admin, exited) -> {
        // For the whole of the scale-in bound, A's members keep their partitions: nothing moved.
        long until = exited + MOVE_BOUND.toNanos();
        while (System.nanoTime() < until) {
          ConsumerGroupDescription g = s.describe(admin);
          Map<TopicPartition, String> owner = owners(g);
          for (TopicPartition p : s.heldByA) {
            assertThat(s.aMembers).as("owner of %s %s after A's exit; group %s", p,
                Duration.ofNanos(System.nanoTime() - exited), g).contains(owner.get(p));
          }
          Thread.sleep(250);
        }
        // Then its session times out and B takes everything (so the traces can be checked).
        Duration moved = s.awaitMoved(admin, exited, Duration.ofSeconds(60));
        return new Observed(moved, "staying in the consumer group; static member 'node-a'", null);
      });
    }
  }

  /** How long A's tasks took to reach B, what A's log must say, and the bound (if any) on the move. */
  private record Observed(Duration moved, String closeLog, Duration movedWithin) {}

  private interface AfterExit {
    Observed observe(Admin admin, long exitedNanos) throws Exception;
  }

  /** One run: A alone, B joins, A gets SIGTERM, then what the test observes, then the traces. */
  private final class Scenario {
    final String app;
    final Map<String, String> common;
    final Map<String, String> envA;
    final Map<String, String> envB;
    Set<String> aMembers = Set.of();
    Set<TopicPartition> held = Set.of();
    Set<TopicPartition> heldByA = Set.of();

    Scenario(String app, Map<String, String> common, Map<String, String> envA, Map<String, String> envB) {
      this.app = app;
      this.common = common;
      this.envA = envA;
      this.envB = envB;
    }

    void run(EmbeddedKafkaBroker broker, AfterExit afterExit) throws Exception {
      String bootstrap = broker.bootstrapServers();
      broker.createTopics(INPUT_PARTITIONS, app + "-in", app + "-out", app + "-dlq");
      Path configA = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve("a")),
          bootstrap, app, DECISION, "");
      Path configB = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve("b")),
          bootstrap, app, DECISION, "");
      Path logA = dir.resolve("a.log");
      Path logB = dir.resolve("b.log");
      Process a = KafkaTestSupport.startRun(configA, logA, merged(envA));
      Process b = null;
      SplitTraceLoad load = new SplitTraceLoad(bootstrap, app + "-in", 90_000);
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        KafkaTestSupport.consume(bootstrap, app + "-out", r -> r.size() > 20, Duration.ZERO, Duration.ofSeconds(60));
        aMembers = clientIds(awaitGroup(admin, g -> !g.members().isEmpty(), Duration.ofSeconds(30), logA));

        b = KafkaTestSupport.startRun(configB, logB, merged(envB));
        // A cooperative rebalance passes through a stable group with partitions revoked and not
        // yet reassigned: wait for the one where every partition of the group's topics is owned.
        ConsumerGroupDescription both = awaitGroup(admin, g -> g.members().stream()
            .anyMatch(m -> !aMembers.contains(m.clientId())) && whollyAssigned(admin, g),
            Duration.ofSeconds(60), logB);
        held = owners(both).keySet();
        heldByA = owners(both).entrySet().stream().filter(e -> aMembers.contains(e.getValue()))
            .map(Map.Entry::getKey).collect(Collectors.toSet());
        assertThat(held).as("the group consumes every input partition; %s", both)
            .containsAll(IntStream.range(0, INPUT_PARTITIONS).mapToObj(p -> new TopicPartition(app + "-in", p)).toList());
        assertThat(heldByA).as("A still owns partitions after B joined; %s", both).isNotEmpty();
        Thread.sleep(3_000); // both instances process for a while

        a.destroy(); // SIGTERM, as Kubernetes and autoscalers stop a pod
        assertThat(a.waitFor(30, TimeUnit.SECONDS)).as("A exits within its shutdown timeout").isTrue();
        long exited = System.nanoTime();
        Observed observed = afterExit.observe(admin, exited);

        Thread.sleep(4_000); // B alone under load
        load.stop();
        Map<String, Integer> sent = load.acknowledged;
        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(bootstrap, app + "-out",
            r -> r.size() >= sent.size(), Duration.ofSeconds(3), Duration.ofSeconds(90));
        Map<String, Integer> kept = KafkaTestSupport.spansPerTrace(out);
        KafkaTestSupport.report("scale-in (" + app + "), tasks moved after", sent, kept, observed.moved());

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(Files.readString(logA)).as("A's log says what its close did").contains(observed.closeLog());
        if (observed.movedWithin() != null) {
          soft.assertThat(observed.moved()).as("A's tasks on B after A's exit")
              .isLessThan(observed.movedWithin());
        }
        soft.assertThat(sent).hasSizeGreaterThan(500);
        soft.assertThat(kept).as("every acknowledged trace whole, none twice: %s; B's log:%n%s",
            difference(sent, kept), Files.readString(logB)).isEqualTo(sent);
        soft.assertThat(b.isAlive()).as("B still running").isTrue();
        soft.assertAll();
      } finally {
        load.stop();
        a.destroyForcibly();
        if (b != null) {
          b.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        }
      }
    }

    private Map<String, String> merged(Map<String, String> own) {
      Map<String, String> env = new TreeMap<>(common);
      env.putAll(own);
      return env;
    }

    /** Waits until the group is stable with none of A's members and every partition it held assigned. */
    Duration awaitMoved(Admin admin, long exited, Duration deadline) throws Exception {
      long end = exited + deadline.toNanos();
      ConsumerGroupDescription g = null;
      while (System.nanoTime() < end) {
        g = describe(admin);
        if (g != null && g.groupState() == GroupState.STABLE
            && g.members().stream().noneMatch(m -> aMembers.contains(m.clientId()))
            && owners(g).keySet().containsAll(held)) {
          return Duration.ofNanos(System.nanoTime() - exited);
        }
        Thread.sleep(100);
      }
      throw new AssertionError("A's tasks never moved to B within " + deadline + " of A's exit; group " + g);
    }

    /** True when every partition of every topic the group reads is assigned to one of its members. */
    boolean whollyAssigned(Admin admin, ConsumerGroupDescription g) {
      Set<TopicPartition> owned = owners(g).keySet();
      Set<String> topics = owned.stream().map(TopicPartition::topic).collect(Collectors.toSet());
      topics.add(app + "-in");
      try {
        return admin.describeTopics(topics).allTopicNames().get().values().stream()
            .allMatch(t -> t.partitions().stream().allMatch(p -> owned.contains(new TopicPartition(t.name(), p.partition()))));
      } catch (ExecutionException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    ConsumerGroupDescription awaitGroup(Admin admin, Predicate<ConsumerGroupDescription> ready,
        Duration deadline, Path log) throws Exception {
      long end = System.nanoTime() + deadline.toNanos();
      ConsumerGroupDescription g = null;
      while (System.nanoTime() < end) {
        g = describe(admin);
        if (g != null && g.groupState() == GroupState.STABLE && !owners(g).isEmpty() && ready.test(g)) {
          return g;
        }
        Thread.sleep(200);
      }
      throw new AssertionError("group never ready: " + g + "; log:\n" + Files.readString(log));
    }

    ConsumerGroupDescription describe(Admin admin) throws InterruptedException {
      try {
        return admin.describeConsumerGroups(List.of(app)).all().get().get(app);
      } catch (ExecutionException notYet) {
        return null;
      }
    }
  }

  /** Which member (by client id) each assigned partition belongs to. */
  private static Map<TopicPartition, String> owners(ConsumerGroupDescription g) {
    Map<TopicPartition, String> out = new java.util.HashMap<>();
    if (g != null) {
      for (MemberDescription m : g.members()) {
        m.assignment().topicPartitions().forEach(p -> out.put(p, m.clientId()));
      }
    }
    return out;
  }

  private static Set<String> clientIds(ConsumerGroupDescription g) {
    Set<String> ids = new HashSet<>();
    g.members().forEach(m -> ids.add(m.clientId()));
    return ids;
  }

  /** The traces that did not come out exactly as sent, counted by kind. */
  private static String difference(Map<String, Integer> sent, Map<String, Integer> kept) {
    long missing = sent.keySet().stream().filter(id -> !kept.containsKey(id)).count();
    long incomplete = sent.entrySet().stream()
        .filter(e -> kept.containsKey(e.getKey()) && kept.get(e.getKey()) < e.getValue()).count();
    long duplicated = sent.entrySet().stream()
        .filter(e -> kept.containsKey(e.getKey()) && kept.get(e.getKey()) > e.getValue()).count();
    long unexpected = kept.keySet().stream().filter(id -> !sent.containsKey(id)).count();
    return "of " + sent.size() + " sent: " + missing + " missing, " + incomplete + " incomplete, "
        + duplicated + " with spans twice, " + unexpected + " never acknowledged";
  }

  /**
   * Steady load of error traces, one every 20 ms from a background thread, each split over two
   * records: its root in one, its child {@link #HELD_BACK} records (about half a second) later,
   * next to another trace's root. {@link #acknowledged} holds trace id → spans the broker
   * acknowledged: exactly what must come out.
   */
  private static final class SplitTraceLoad {
    static final int HELD_BACK = 25;
    final Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    SplitTraceLoad(String bootstrap, String topic, int firstId) {
      thread = new Thread(() -> {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            "bootstrap.servers", bootstrap, "acks", "all", "enable.idempotence", true,
            "delivery.timeout.ms", 120_000), new ByteArraySerializer(), new ByteArraySerializer())) {
          ArrayDeque<byte[]> children = new ArrayDeque<>();
          for (int i = firstId; !stop.get(); i++) {
            byte[] id = Spans.traceId(i);
            List<ResourceSpans> resources = new ArrayList<>();
            resources.add(Spans.resource("gateway", "http", Spans.error(Spans.span(id, 1, null, "GET /" + i, 0, 5))));
            if (children.size() == HELD_BACK) {
              byte[] childOf = children.poll();
              resources.add(Spans.resource("worker", "jobs", Spans.span(childOf, 2, 1, "work", 1, 3)));
            }
            children.add(id);
            send(producer, topic, resources);
            Thread.sleep(20);
          }
          List<ResourceSpans> rest = new ArrayList<>();
          children.forEach(id -> rest.add(Spans.resource("worker", "jobs", Spans.span(id, 2, 1, "work", 1, 3))));
          if (!rest.isEmpty()) {
            send(producer, topic, rest);
          }
          producer.flush();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "split-trace-load");
      thread.start();
    }

    private void send(KafkaProducer<byte[], byte[]> producer, String topic, List<ResourceSpans> resources) {
      ExportTraceServiceRequest r = ExportTraceServiceRequest.newBuilder().addAllResourceSpans(resources).build();
      producer.send(new ProducerRecord<>(topic, r.toByteArray()), (md, e) -> {
        if (e == null) {
          for (ResourceSpans rs : resources) {
            String hex = TraceIds.hex(rs.getScopeSpans(0).getSpans(0).getTraceId().toByteArray());
            acknowledged.merge(hex, rs.getScopeSpans(0).getSpansCount(), Integer::sum);
          }
        }
      });
    }

    void stop() throws InterruptedException {
      stop.set(true);
      thread.join(130_000);
    }
  }
}
