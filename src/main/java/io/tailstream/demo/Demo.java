package io.tailstream.demo;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.TraceIds;
import io.tailstream.topology.Headers;
import io.tailstream.workload.InferenceWorkload;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A self-contained run of tailstream: an in-JVM broker, tailstream with the example rules, and a
 * generated ML inference workload with a few percent of failing, slow and slow-model requests.
 * Prints progress and, at the end, what was kept and whether every interesting trace was kept
 * whole (its recall).
 */
public final class Demo {
  private static final int TRACES_PER_RECORD = 10;

  private final Duration duration;
  private final int tracesPerSecond;
  private final PrintStream out;
  private final Map<String, InferenceWorkload.Trace> interesting = new ConcurrentHashMap<>();
  private final Map<String, Integer> keptSpans = new ConcurrentHashMap<>();
  private final Map<String, String> keptRule = new ConcurrentHashMap<>();
  private final AtomicLong tracesSent = new AtomicLong();
  private final AtomicLong spansSent = new AtomicLong();
  private volatile boolean stopped;

  public Demo(Duration duration, int tracesPerSecond, PrintStream out) {
    this.duration = duration;
    this.tracesPerSecond = tracesPerSecond;
    this.out = out;
  }

  public void stop() {
    stopped = true;
  }

  /** Runs the demo; returns the incident recall (share of interesting traces kept whole). */
  public double run() throws Exception {
    Path work = Files.createTempDirectory("tailstream-demo-");
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      out.println("Kafka broker (in this JVM, KRaft) at " + broker.bootstrapServers()
          + ", data in " + broker.logDir());
      TailstreamConfig config = config(broker.bootstrapServers(), work);
      try (TailstreamApp app = TailstreamApp.create(config)) {
        app.start();
        out.println("tailstream: " + config.topics().input() + " -> " + config.topics().output()
            + ", rules " + config.rulesFile());
        Thread reader = new Thread(() -> readOutput(broker.bootstrapServers(), config), "demo-reader");
        reader.setDaemon(true);
        reader.start();
        produce(broker.bootstrapServers(), config.topics().input(), app.metrics());
        out.println("load stopped; waiting for the last traces to be decided ...");
        long deadline = System.nanoTime() + config.decision().maxWait().plusSeconds(10).toNanos();
        while (System.nanoTime() < deadline && !allDecided(app.metrics())) {
          Thread.sleep(200);
        }
        Thread.sleep(1000); // let the reader see the last kept traces
        return report(app.metrics());
      }
    } finally {
      EmbeddedKafkaBroker.deleteRecursively(work);
    }
  }

  private boolean allDecided(TailstreamMetrics m) {
    return m.tracesKept() + m.tracesDropped() >= tracesSent.get() && m.bufferedTraces() == 0;
  }

  private void produce(String bootstrap, String topic, TailstreamMetrics metrics) throws InterruptedException {
    InferenceWorkload workload = new InferenceWorkload(System.nanoTime(), 0.02, 0.02, 0.02);
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long nextReport = start + Duration.ofSeconds(5).toNanos();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        "bootstrap.servers", bootstrap, "linger.ms", 10), new ByteArraySerializer(), new ByteArraySerializer())) {
      while (!stopped && System.nanoTime() < end) {
        long elapsedNanos = System.nanoTime() - start;
        long due = elapsedNanos * tracesPerSecond / 1_000_000_000L;
        while (tracesSent.get() + TRACES_PER_RECORD <= due) {
          ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
          for (int i = 0; i < TRACES_PER_RECORD; i++) {
            InferenceWorkload.Trace t = workload.next();
            if (t.kind() != InferenceWorkload.Kind.NORMAL) {
              interesting.put(TraceIds.hex(t.traceId()), t);
            }
            for (ResourceSpans rs : t.resources()) {
              request.addResourceSpans(rs);
            }
            spansSent.addAndGet(t.spanCount());
            tracesSent.incrementAndGet();
          }
          producer.send(new ProducerRecord<>(topic, null, request.build().toByteArray()));
        }
        if (System.nanoTime() >= nextReport) {
          nextReport += Duration.ofSeconds(5).toNanos();
          out.printf("%4ds  sent %,d traces (%,d spans)  buffered %,d  kept %s  spans out %,d%n",
              Duration.ofNanos(System.nanoTime() - start).toSeconds(), tracesSent.get(),
              spansSent.get(), metrics.bufferedTraces(), metrics.keptByRule(), metrics.spansOut());
        }
        Thread.sleep(20);
      }
    }
  }

  private void readOutput(String bootstrap, TailstreamConfig config) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        "bootstrap.servers", bootstrap, "group.id", "tailstream-demo-reader",
        "isolation.level", "read_committed", "auto.offset.reset", "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(config.topics().output()));
      while (true) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          int spans = ExportTraceServiceRequest.parseFrom(r.value()).getResourceSpansList().stream()
              .mapToInt(rs -> rs.getScopeSpansList().stream().mapToInt(ss -> ss.getSpansCount()).sum())
              .sum();
          keptSpans.merge(r.key(), spans, Integer::sum);
          keptRule.put(r.key(), new String(r.headers().lastHeader(Headers.RULE).value(), StandardCharsets.UTF_8));
        }
      }
    } catch (Exception e) {
      // the demo is ending
    }
  }

  private double report(TailstreamMetrics m) {
    long whole = interesting.entrySet().stream()
        .filter(e -> keptSpans.getOrDefault(e.getKey(), 0) == e.getValue().spanCount())
        .count();
    double recall = interesting.isEmpty() ? 1.0 : (double) whole / interesting.size();
    long spansOut = Math.max(1, m.spansOut());
    out.println();
    out.printf("traces in:         %,d (%,d spans)%n", tracesSent.get(), spansSent.get());
    out.printf("kept per rule:     %s%n", m.keptByRule());
    out.printf("dropped:           %s%n", m.droppedByRule());
    out.printf("spans out:         %,d  (storage reduction %.1fx)%n", m.spansOut(),
        (double) spansSent.get() / spansOut);
    out.printf("incident recall:   %.1f%% (%,d of %,d failing, slow or slow-model traces kept whole)%n",
        recall * 100, whole, interesting.size());
    out.printf("dead-lettered:     %,d records%n", m.deadLetterRecords());
    return recall;
  }

  private static TailstreamConfig config(String bootstrap, Path work) throws IOException {
    Path rules = work.resolve("rules.yaml");
    try (InputStream in = Demo.class.getResourceAsStream("/io/tailstream/examples/rules.yaml")) {
      Files.copy(in, rules);
    }
    Path config = work.resolve("tailstream.yaml");
    Files.writeString(config, """
        kafka:
          bootstrap-servers: %s
          application-id: tailstream-demo
          properties: { state.dir: %s }
        topics: { partitions: 4 }
        decision: { wait: 10s, after-root: 2s, idle: 3s, check-interval: 250ms }
        admin: { port: 0 }
        rules: rules.yaml
        """.formatted(bootstrap, work.resolve("state")));
    return ConfigLoader.load(config, Map.of());
  }
}
