package io.tailstream.demo;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostMessages;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.loadgen.Incident;
import io.tailstream.loadgen.LoadGenerator;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.Encoding;
import io.tailstream.replay.DumpFile;
import io.tailstream.topology.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one-command demo: an in-JVM Kafka broker, tailstream with the example ML inference policy,
 * and simulated traffic (OpenTelemetry SDK) with three incidents on a timeline — an error burst on
 * one model, a latency spike on another, a slow feature store — plus one scripted operator boost.
 * It shows a live view, then reports what was kept, the incident recall (every incident trace must
 * be kept whole), and writes a self-contained HTML report and a dump of the kept traces.
 */
public final class Demo {
  /** How to run. {@code outputDir} receives the HTML report and the kept-traces dump. */
  public record Options(Duration duration, double tracesPerSecond, Path outputDir, PrintStream out,
      boolean terminal) {}

  private final Options options;
  private final DemoRecorder recorder = new DemoRecorder();
  /** Set by Ctrl-C: stop sending. */
  private final AtomicBoolean trafficStopped = new AtomicBoolean();
  /** Set when the run is over: the reader and the live view stop. */
  private final AtomicBoolean stopped = new AtomicBoolean();

  public Demo(Options options) {
    this.options = options;
  }

  /** Stops the traffic early (Ctrl-C); the demo still decides what it sent and reports. */
  public void stop() {
    trafficStopped.set(true);
  }

  /** Runs the demo and returns its report. */
  public DemoReport run() throws Exception {
    Path work = Files.createTempDirectory("tailstream-demo-");
    PrintStream out = options.out();
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      out.println("Kafka broker (KRaft, in this JVM) at " + broker.bootstrapServers() + ", data in " + broker.logDir());
      TailstreamConfig config = config(broker.bootstrapServers(), work);
      List<Incident> incidents = timeline(options.duration());
      try (TailstreamApp app = TailstreamApp.create(config)) {
        app.start();
        app.awaitRunning(Duration.ofSeconds(60));
        out.println("tailstream " + config.topics().input() + " -> " + config.topics().output()
            + " with examples/rules-ml-inference.yaml; metrics at http://localhost:" + app.adminPort()
            + "/metrics, health at /health/ready");
        out.println("incidents: " + incidents);
        Path keptDump = options.outputDir().resolve("tailstream-demo-kept.dump");
        Thread reader = new Thread(() -> readKept(broker.bootstrapServers(), config, keptDump), "demo-reader");
        reader.setDaemon(true);
        reader.start();
        LiveView view = new LiveView(out, options.terminal(), app, recorder, incidents);
        Thread viewer = new Thread(() -> view.loop(stopped), "demo-view");
        viewer.setDaemon(true);
        viewer.start();
        Thread operator = scriptedBoost(broker.bootstrapServers(), config);
        operator.start();

        LoadGenerator.Result sent = generate(broker.bootstrapServers(), config, incidents);
        operator.interrupt();
        out.println("load stopped; waiting for the last traces to be decided ...");
        awaitDecided(app.metrics(), sent.traces(), config.decision().maxWait().plusSeconds(10));
        Thread.sleep(1500); // the reader catches up with the last transactions
        stopped.set(true);
        viewer.join(2000);
        DemoReport report = DemoReport.of(sent, app.metrics(), recorder, incidents, keptDump,
            options.duration());
        out.println();
        out.print(report.text());
        Path html = options.outputDir().resolve("tailstream-demo-report.html");
        Files.writeString(html, report.html(), StandardCharsets.UTF_8);
        out.println("HTML report:       " + html.toAbsolutePath());
        return report;
      }
    } finally {
      stopped.set(true);
      EmbeddedKafkaBroker.deleteRecursively(work);
    }
  }

  /**
   * Incidents at fixed fractions of the run, each about 5% of it (at least one second), after the
   * spike detector has had time to learn its baselines.
   */
  static List<Incident> timeline(Duration d) {
    Duration len = Duration.ofMillis(Math.max(1000, d.toMillis() / 20));
    return List.of(
        new Incident(Incident.Kind.ERROR_BURST, "ranker-v3", d.multipliedBy(30).dividedBy(100), len),
        new Incident(Incident.Kind.LATENCY_SPIKE, "embedder-v2", d.multipliedBy(45).dividedBy(100), len),
        new Incident(Incident.Kind.SLOW_FEATURE_STORE, "feature-store", d.multipliedBy(70).dividedBy(100), len));
  }

  private LoadGenerator.Result generate(String bootstrap, TailstreamConfig config, List<Incident> incidents) {
    Properties producer = new Properties();
    producer.put("bootstrap.servers", bootstrap);
    LoadGenerator generator = new LoadGenerator(new LoadGenerator.Settings(producer,
        config.topics().input(), options.tracesPerSecond(), options.duration(), incidents, false,
        Encoding.OTLP_PROTO, System.nanoTime(), 10, 0.003));
    recorder.begin();
    return generator.run(recorder::sent, trafficStopped::get);
  }

  /** An operator raises the api-routes sampler fivefold for a while, a third into the run. */
  private Thread scriptedBoost(String bootstrap, TailstreamConfig config) {
    return new Thread(() -> {
      try {
        Thread.sleep(options.duration().toMillis() * 20 / 100);
        Boost boost = new Boost("demo-operator", null, null, "api-routes", Boost.NONE, 5, false,
            System.currentTimeMillis() + options.duration().toMillis() / 5,
            "demo: an operator looks closer at API routes", "demo", false);
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap),
            new StringSerializer(), new ByteArraySerializer())) {
          p.send(new ProducerRecord<>(config.topics().control(), boost.id(), BoostMessages.toJson(boost))).get();
        }
        recorder.event("operator boost demo-operator: api-routes ×5");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        recorder.event("operator boost failed: " + e.getMessage());
      }
    }, "demo-operator");
  }

  private void readKept(String bootstrap, TailstreamConfig config, Path dump) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
        "bootstrap.servers", bootstrap, "group.id", "tailstream-demo-reader",
        "isolation.level", "read_committed", "auto.offset.reset", "earliest"),
        new StringDeserializer(), new ByteArrayDeserializer());
        DumpFile.Writer writer = new DumpFile.Writer(dump)) {
      consumer.subscribe(List.of(config.topics().output()));
      while (!stopped.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(r.value());
          int spans = request.getResourceSpansList().stream()
              .mapToInt(rs -> rs.getScopeSpansList().stream().mapToInt(ss -> ss.getSpansCount()).sum()).sum();
          recorder.kept(r.key(), new String(r.headers().lastHeader(Headers.RULE).value(),
              StandardCharsets.UTF_8), request, spans);
          writer.write(r.value());
        }
      }
    } catch (Exception e) {
      recorder.event("output reader stopped: " + e.getMessage());
    }
  }

  private static void awaitDecided(TailstreamMetrics m, long traces, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end && (m.tracesKept() + m.tracesDropped() < traces || m.bufferedTraces() > 0)) {
      Thread.sleep(200);
    }
  }

  private static TailstreamConfig config(String bootstrap, Path work) throws IOException {
    Path rules = work.resolve("rules-ml-inference.yaml");
    try (InputStream in = Demo.class.getResourceAsStream("/io/tailstream/examples/rules-ml-inference.yaml")) {
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
        auto-boost: { interval: 2s, min-traces: 20, cooldown: 2s, ttl: 2m, sample: 5%% }
        rates: { interval: 2s, stats-interval: 10s }
        stages: { enabled: true }
        admin: { port: 0 }
        rules: rules-ml-inference.yaml
        """.formatted(bootstrap, work.resolve("state")));
    return ConfigLoader.load(config, Map.of());
  }
}
