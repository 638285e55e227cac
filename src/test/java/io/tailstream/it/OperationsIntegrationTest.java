package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;

import com.google.gson.JsonParser;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.workload.InferenceWorkload;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an SRE's Prometheus and kubelet see, over real HTTP from an instance on a real broker:
 * the probes, metrics that move with traffic, and every metric the Grafana dashboard queries.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsIntegrationTest {
  /** Metric names in PromQL: tailstream's own, and those of the JVM, process and Kafka binders. */
  private static final Pattern METRIC_IN_QUERY =
      Pattern.compile("\\b((?:tailstream|kafka|jvm|process)_[a-z0-9_]+)\\b");
  private static EmbeddedKafkaBroker broker;
  private static TailstreamApp app;
  private static final HttpClient http = HttpClient.newHttpClient();
  private static final InferenceWorkload workload = new InferenceWorkload(5, 0.05, 0.05, 0.05);

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedKafkaBroker.start();
    Path config = KafkaTestSupport.writeConfig(dir, broker.bootstrapServers(), "it-ops",
        "{ wait: 2s, after-root: 1s, idle: 1s, check-interval: 100ms }", "rates: { stats-interval: 1s }");
    Files.writeString(config, Files.readString(config)
        .replace("admin: { port: -1 }", "admin: { port: 0, bind: 127.0.0.1 }"));
    app = TailstreamApp.create(ConfigLoader.load(config, Map.of()));
    app.start();
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    broker.close();
  }

  @Test
  @Order(1)
  void probesAnswerLiveAtOnceAndReadyOnceStreamsRun() throws Exception {
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = await("/health/ready", r -> r.statusCode() == 200, Duration.ofSeconds(60));
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(ready.body()).contains("\"state\":\"RUNNING\"")
        .contains("\"rules\":\"" + app.rules().current().version() + "\"");
  }

  @Test
  @Order(2)
  void metricsMoveWithTrafficOverHttp() throws Exception {
    PrometheusText before = scrape();
    assertThat(before.sum("tailstream_spans_in_total")).isZero();
    assertThat(before.names()).as("Kafka Streams and JVM binders")
        .anyMatch(n -> n.startsWith("kafka_stream_"))
        .anyMatch(n -> n.startsWith("kafka_consumer_"))
        .contains("jvm_memory_used_bytes", "tailstream_rules_version");

    int spans1 = send(200);
    PrometheusText after1 = awaitMetrics(m -> m.sum("tailstream_spans_in_total") == spans1
        && m.sum("tailstream_traces_total") == 200);
    assertThat(after1.sum("tailstream_spans_in_total", "application=\"tailstream\""))
        .as("the common tag the dashboard and alerts select on").isEqualTo(spans1);
    assertThat(after1.sum("tailstream_traces_total", "outcome=\"kept\"")).isPositive();
    assertThat(after1.sum("tailstream_traces_total", "outcome=\"kept\"", "rule=\"errors\"")).isPositive();
    assertThat(after1.sum("tailstream_decision_delay_seconds_count")).isEqualTo(200);
    assertThat(after1.sum("tailstream_spans_out_total")).isPositive();
    assertThat(after1.sum("tailstream_buffered_traces")).isZero();

    KafkaTestSupport.produce(broker.bootstrapServers(), "it-ops-in", List.of("garbage".getBytes()));
    int spans2 = send(100);
    PrometheusText after2 = awaitMetrics(m -> m.sum("tailstream_spans_in_total") == spans1 + spans2
        && m.sum("tailstream_traces_total") == 300 && m.sum("tailstream_dead_letter_records_total") == 1);
    assertThat(after2.sum("tailstream_dead_letter_records_total", "reason=\"unreadable\"")).isEqualTo(1);
    assertThat(after2.sum("tailstream_records_in_total")).isGreaterThan(after1.sum("tailstream_records_in_total"));
    assertThat(after2.sum("tailstream_spans_out_total")).isGreaterThanOrEqualTo(after1.sum("tailstream_spans_out_total"));
  }

  @Test
  @Order(3)
  void everyMetricTheDashboardQueriesIsExported() throws Exception {
    JsonElement dashboard = JsonParser.parseString(
        Files.readString(Path.of("deploy/grafana/tailstream-dashboard.json")));
    List<String> queries = new ArrayList<>();
    for (JsonElement panel : dashboard.getAsJsonObject().getAsJsonArray("panels")) {
      var targets = panel.getAsJsonObject().getAsJsonArray("targets");
      if (targets != null) {
        targets.forEach(t -> queries.add(t.getAsJsonObject().get("expr").getAsString()));
      }
    }
    assertExported(queries, "deploy/grafana/tailstream-dashboard.json", 15);
  }

  @Test
  @Order(4)
  void everyMetricTheAlertRulesQueryIsExported() throws Exception {
    Object rules = new org.snakeyaml.engine.v2.api.Load(
        org.snakeyaml.engine.v2.api.LoadSettings.builder().build())
        .loadFromString(Files.readString(Path.of("deploy/prometheus/tailstream-alerts.yaml")));
    List<String> queries = new ArrayList<>();
    for (Object group : (List<?>) ((Map<?, ?>) rules).get("groups")) {
      for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) rule;
        assertThat(r).as("alert rule %s", r.get("alert")).containsKeys("alert", "expr", "labels", "annotations");
        assertThat(String.valueOf(r.get("annotations"))).contains("summary=", "description=");
        queries.add((String) r.get("expr"));
      }
    }
    assertExported(queries, "deploy/prometheus/tailstream-alerts.yaml", 8);
  }

  /** Each metric the queries name is in a scrape (waiting for interval-driven gauges to appear). */
  private static void assertExported(List<String> queries, String file, int atLeast) throws Exception {
    Set<String> queried = new TreeSet<>();
    for (String q : queries) {
      Matcher matcher = METRIC_IN_QUERY.matcher(q);
      while (matcher.find()) {
        queried.add(matcher.group(1));
      }
    }
    assertThat(queried).hasSizeGreaterThanOrEqualTo(atLeast);
    // Per-model gauges exist while models had spans in the last few stats intervals: keep some
    // traffic flowing while waiting.
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    PrometheusText m = scrape();
    while (!m.names().containsAll(queried) && System.nanoTime() < end) {
      send(10);
      m = awaitMetrics(t -> t.names().containsAll(queried), Duration.ofSeconds(3));
    }
    Set<String> missing = new TreeSet<>(queried);
    missing.removeAll(m.names());
    assertThat(missing).as("queried by " + file + ", not exported").isEmpty();
  }

  private static int send(int traces) {
    List<InferenceWorkload.Trace> batch = new ArrayList<>();
    for (int i = 0; i < traces; i++) {
      batch.add(workload.next());
    }
    List<byte[]> values = new ArrayList<>();
    for (ExportTraceServiceRequest r : KafkaTestSupport.batches(batch, 10, new Random(traces))) {
      values.add(r.toByteArray());
    }
    KafkaTestSupport.produce(broker.bootstrapServers(), "it-ops-in", values);
    return batch.stream().mapToInt(InferenceWorkload.Trace::spanCount).sum();
  }

  private static PrometheusText scrape() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    return PrometheusText.parse(r.body());
  }

  private static PrometheusText awaitMetrics(Predicate<PrometheusText> done) throws Exception {
    return awaitMetrics(done, Duration.ofSeconds(60));
  }

  private static PrometheusText awaitMetrics(Predicate<PrometheusText> done, Duration timeout)
      throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    PrometheusText last = scrape();
    while (!done.test(last) && System.nanoTime() < end) {
      Thread.sleep(200);
      last = scrape();
    }
    return last;
  }

  private static HttpResponse<String> await(String path, Predicate<HttpResponse<String>> done,
      Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> last = get(path);
    while (!done.test(last) && System.nanoTime() < end) {
      Thread.sleep(200);
      last = get(path);
    }
    return last;
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.adminPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
