package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.workload.InferenceWorkload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Producing, consuming and config files for the real-broker tests. */
final class KafkaTestSupport {
  static final String CORE_RULES = io.tailstream.testing.CoreRules.YAML;

  private KafkaTestSupport() {}

  /**
   * Kafka settings of the fault tests that want a dead member out of the group fast: a 6 s
   * session instead of 45 s, and open transactions of a killed instance aborted after 5 s.
   */
  static final Map<String, String> FAST_FAILOVER = orderedMap(
      "session.timeout.ms", "6000",
      "heartbeat.interval.ms", "1500",
      "producer.transaction.timeout.ms", "5000");

  static Path writeConfig(Path dir, String bootstrap, String applicationId, String decision,
      String extraProperties) throws IOException {
    return writeConfig(dir, bootstrap, applicationId, decision, extraProperties, CORE_RULES);
  }

  static Path writeConfig(Path dir, String bootstrap, String applicationId, String decision,
      String extraProperties, String rules) throws IOException {
    return writeConfig(dir, bootstrap, applicationId, decision, extraProperties, rules, FAST_FAILOVER, false);
  }

  /**
   * Writes {@code dir/tailstream.yaml} and {@code dir/rules.yaml}, with the state directory in
   * {@code dir/state}. {@code kafkaProperties} go under {@code kafka.properties} (empty: Kafka's
   * defaults, as a user who sets nothing gets them); with {@code adminPort} the admin port is a
   * free one on 127.0.0.1, which the child logs ({@link AdminEndpoint#fromLog}), else it is off.
   */
  static Path writeConfig(Path dir, String bootstrap, String applicationId, String decision,
      String extraProperties, String rules, Map<String, String> kafkaProperties, boolean adminPort)
      throws IOException {
    Files.writeString(dir.resolve("rules.yaml"), rules);
    Path stateDir = Files.createDirectories(dir.resolve("state"));
    Path config = dir.resolve("tailstream.yaml");
    StringBuilder properties = new StringBuilder();
    kafkaProperties.forEach((k, v) -> properties.append("\n    ").append(k).append(": ").append(v));
    Files.writeString(config, """
        kafka:
          bootstrap-servers: %s
          application-id: %s
          properties:
            state.dir: %s%s
        %s
        topics: { input: %s-in, output: %s-out, dead-letter: %s-dlq, control: %s-control, rates: %s-rates, partitions: 3 }
        decision: %s
        admin: %s
        rules: rules.yaml
        """.formatted(bootstrap, applicationId, stateDir, properties, extraProperties, applicationId,
        applicationId, applicationId, applicationId, applicationId, decision,
        adminPort ? "{ port: 0, bind: 127.0.0.1 }" : "{ port: -1 }"));
    return config;
  }

  private static Map<String, String> orderedMap(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return Collections.unmodifiableMap(map);
  }

  /**
   * Packs traces into records the way a collector's batches look: several traces per record,
   * spans shuffled (children before roots), and about a third of each trace's spans held back to
   * the next record.
   */
  static List<ExportTraceServiceRequest> batches(List<InferenceWorkload.Trace> traces,
      int tracesPerRecord, Random random) {
    List<ExportTraceServiceRequest> out = new ArrayList<>();
    List<Placed> carried = new ArrayList<>();
    for (int i = 0; i < traces.size(); i += tracesPerRecord) {
      List<Placed> now = new ArrayList<>(carried);
      carried = new ArrayList<>();
      for (InferenceWorkload.Trace t : traces.subList(i, Math.min(traces.size(), i + tracesPerRecord))) {
        for (ResourceSpans rs : t.resources()) {
          for (Span s : rs.getScopeSpans(0).getSpansList()) {
            (random.nextDouble() < 0.33 ? carried : now).add(new Placed(rs, s));
          }
        }
      }
      Collections.shuffle(now, random);
      out.add(request(now));
    }
    if (!carried.isEmpty()) {
      out.add(request(carried));
    }
    return out;
  }

  /** A span and the resource (with its scope) it came from. */
  record Placed(ResourceSpans resource, Span span) {}

  /** One collector batch: the spans grouped under their resources again. */
  static ExportTraceServiceRequest request(List<Placed> spans) {
    Map<Object, ResourceSpans.Builder> byResource = new LinkedHashMap<>();
    for (Placed p : spans) {
      ResourceSpans.Builder rs = byResource.computeIfAbsent(p.resource.getResource(), r ->
          ResourceSpans.newBuilder().setResource(p.resource.getResource())
              .addScopeSpans(ScopeSpans.newBuilder().setScope(p.resource.getScopeSpans(0).getScope())));
      rs.getScopeSpansBuilder(0).addSpans(p.span);
    }
    ExportTraceServiceRequest.Builder r = ExportTraceServiceRequest.newBuilder();
    byResource.values().forEach(r::addResourceSpans);
    return r.build();
  }

  static void produce(String bootstrap, String topic, List<byte[]> values) {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        "bootstrap.servers", bootstrap, "linger.ms", 5, "acks", "all"),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[] v : values) {
        producer.send(new ProducerRecord<>(topic, null, v));
      }
      producer.flush();
    }
  }

  /**
   * Reads a topic from the start with read_committed until {@code done} holds for everything read
   * and then {@code quiet} passes with nothing new (so duplicates would show), or the deadline.
   * With a zero {@code quiet} it returns as soon as {@code done} holds: under steady load new
   * records come with every poll, and waiting for a quiet poll ran to the deadline.
   */
  static List<ConsumerRecord<byte[], byte[]>> consume(String bootstrap, String topic,
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration quiet, Duration deadline) {
    List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        "bootstrap.servers", bootstrap, "isolation.level", "read_committed",
        "auto.offset.reset", "earliest", "enable.auto.commit", false),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long end = System.nanoTime() + deadline.toNanos();
      long doneSince = -1;
      while (System.nanoTime() < end) {
        int before = all.size();
        consumer.poll(Duration.ofMillis(200)).forEach(all::add);
        if (all.size() != before) {
          doneSince = -1;
        }
        if (done.test(all)) {
          if (quiet.isZero()) {
            break;
          }
          if (doneSince < 0) {
            doneSince = System.nanoTime();
          } else if (System.nanoTime() - doneSince > quiet.toNanos()) {
            break;
          }
        }
      }
    }
    return all;
  }

  /** Waits until the group's committed offsets reach the end of every partition of the topics. */
  static void awaitAllConsumed(String bootstrap, String group, List<String> topics, Duration timeout,
      Process child, Path log) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    io.tailstream.bench.Offsets.awaitConsumed(bootstrap, group, topics, () -> {
      if (!child.isAlive() || System.nanoTime() > end) {
        throw new AssertionError((child.isAlive() ? "input never fully consumed" : "child stopped")
            + "; log:\n" + readLog(log));
      }
    });
  }

  private static String readLog(Path log) {
    try {
      return Files.readString(log);
    } catch (java.io.IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /**
   * Steady load for fault tests: an error trace of two spans every 20 ms, from a background
   * thread, until {@link #stop()}; {@link #acknowledged} holds the traces the broker acknowledged
   * (trace id → span count): exactly what must come out.
   */
  static final class SteadyErrorLoad {
    final Map<String, Integer> acknowledged = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    private final Thread thread;

    SteadyErrorLoad(String bootstrap, String topic, int firstId) {
      thread = new Thread(() -> {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            "bootstrap.servers", bootstrap, "acks", "all", "enable.idempotence", true,
            "delivery.timeout.ms", 120_000), new ByteArraySerializer(), new ByteArraySerializer())) {
          for (int i = firstId; !stop.get(); i++) {
            byte[] id = io.tailstream.testing.Spans.traceId(i);
            ExportTraceServiceRequest r = io.tailstream.testing.Spans.request(
                io.tailstream.testing.Spans.resource("gateway", "http", io.tailstream.testing.Spans.error(
                    io.tailstream.testing.Spans.span(id, 1, null, "GET /" + i, 0, 5))),
                io.tailstream.testing.Spans.resource("worker", "jobs",
                    io.tailstream.testing.Spans.span(id, 2, 1, "work", 1, 3)));
            String hex = io.tailstream.otlp.TraceIds.hex(id);
            producer.send(new ProducerRecord<>(topic, r.toByteArray()), (md, e) -> {
              if (e == null) {
                acknowledged.put(hex, 2);
              }
            });
            Thread.sleep(20);
          }
          producer.flush();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "steady-load");
      thread.start();
    }

    void stop() throws InterruptedException {
      stop.set(true);
      thread.join(130_000);
    }
  }

  /** Span counts per trace id of what came out. */
  static Map<String, Integer> spansPerTrace(List<ConsumerRecord<byte[], byte[]>> records) throws Exception {
    Map<String, Integer> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      out.merge(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8),
          io.tailstream.testing.Spans.spanCount(ExportTraceServiceRequest.parseFrom(r.value())), Integer::sum);
    }
    return out;
  }

  /** Span counts per trace of an expectation (trace → span ids), for {@link #report}. */
  static Map<String, Integer> spanCounts(Map<String, ? extends java.util.Collection<String>> spans) {
    Map<String, Integer> out = new HashMap<>();
    spans.forEach((trace, ids) -> out.put(trace, ids.size()));
    return out;
  }

  /**
   * Appends one line per fault test to target/fault-report.txt: spans sent and kept, lost and
   * duplicated (both must be 0; the tests assert it), and the recovery time.
   */
  static void report(String fault, Map<String, Integer> sent, Map<String, Integer> kept, Duration recovery)
      throws IOException {
    long sentSpans = sent.values().stream().mapToLong(Integer::longValue).sum();
    long keptSpans = kept.values().stream().mapToLong(Integer::longValue).sum();
    long lost = sent.entrySet().stream().filter(e -> !e.getValue().equals(kept.get(e.getKey()))).count();
    long duplicated = kept.entrySet().stream().filter(e -> e.getValue() > sent.getOrDefault(e.getKey(), 0)).count();
    Path report = Path.of("target", "fault-report.txt");
    Files.createDirectories(report.getParent());
    Files.writeString(report, String.format("%-34s spans sent %,7d  kept %,7d  traces lost %d  duplicated %d  recovery %s%n",
        fault, sentSpans, keptSpans, lost, duplicated, recovery == null ? "-" : recovery.toMillis() + " ms"),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }

  /**
   * Sends a signal to a child process ({@code STOP} freezes every thread of it, heartbeats
   * included, until {@code CONT}), as an overloaded node or a stuck VM would be frozen.
   */
  static void signal(Process child, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid()))
        .redirectErrorStream(true).start();
    String out = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + child.pid() + " failed: " + out);
    }
  }

  /** A throwable with its causes and stack, for failure messages. */
  static String stackTrace(Throwable t) {
    java.io.StringWriter out = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }

  /** The last {@code lines} lines of a child's log, for failure messages. */
  static String tail(Path log, int lines) throws IOException {
    if (!Files.exists(log)) {
      return "(no log at " + log + ")";
    }
    List<String> all = Files.readAllLines(log);
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /**
   * Starts {@code tailstream run --config CONFIG} in a child JVM (512 MiB heap, the test class
   * path), appending its output to {@code log}; {@code env} adds environment variables.
   */
  static Process startRun(Path config, Path log, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + java.io.File.separator + "bin"
        + java.io.File.separator + "java", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        "io.tailstream.cli.Main", "run", "--config", config.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    return pb.start();
  }
}
