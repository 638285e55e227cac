package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
 * the probes, metrics that move with traffic, the per-stage meters against the spans sent, what
 * the dashboard's stage panels show when their queries are evaluated on a scrape, and every
 * metric the Grafana dashboard queries.
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
  /** The stage each service of the workload is in (its root spans are the requests). */
  private static final Map<String, String> STAGE_OF_SERVICE = Map.of("feature-store", "feature-retrieval",
      "preprocessor", "preprocessing", "model-server", "inference", "ensembler", "ensemble",
      "postprocessor", "post-processing");
  /** Durations (ms) of every span sent, by the stage it is in: the truth the histograms are checked against. */
  private static final Map<String, List<Long>> sentMs = new java.util.concurrent.ConcurrentHashMap<>();

  @TempDir
  static Path dir;

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedKafkaBroker.start();
    Path config = KafkaTestSupport.writeConfig(dir, broker.bootstrapServers(), "it-ops",
        "{ wait: 2s, after-root: 1s, idle: 1s, check-interval: 100ms }",
        "rates: { stats-interval: 1s }\nstages: { enabled: true }");
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
  void everySpanIsMeteredByStageAndModelWithErrors() throws Exception {
    long sent = sentMs.values().stream().mapToLong(List::size).sum();
    PrometheusText m = awaitMetrics(t -> t.sum("tailstream_stage_requests_total") == sent);
    assertThat(m.sum("tailstream_stage_requests_total")).as("every span, kept or not")
        .isEqualTo(m.sum("tailstream_spans_in_total")).isEqualTo(sent);
    for (Map.Entry<String, List<Long>> e : sentMs.entrySet()) {
      assertThat(m.sum("tailstream_stage_requests_total", "stage=\"" + e.getKey() + "\""))
          .as(e.getKey()).isEqualTo(e.getValue().size());
    }
    assertThat(m.sum("tailstream_stage_requests_total", "stage=\"other\"")).as("the defaults classify the workload").isZero();
    assertThat(m.sum("tailstream_stage_requests_total", "service=\"model-server\"", "model=\"ranker-v3\""))
        .isPositive();
    assertThat(m.sum("tailstream_stage_requests_total", "stage=\"preprocessing\"", "model=\"\"")).isPositive();
    assertThat(m.sum("tailstream_stage_errors_total")).as("the workload's failing spans").isPositive();
    assertThat(m.sum("tailstream_stage_duration_seconds_count")).isEqualTo(sent);
    assertThat(m.sum("tailstream_ensemble_slowest_total")).as("requests that ran two or more models")
        .isPositive().isLessThan(m.sum("tailstream_traces_total"));
  }

  @Test
  @Order(4)
  void theWhereDidTheTimeGoPanelsShowTheWorkloadsStagesOnAScrape() throws Exception {
    long sent = sentMs.values().stream().mapToLong(List::size).sum();
    PrometheusText m = awaitMetrics(t -> t.sum("tailstream_stage_requests_total") == sent);
    Map<String, List<String>> panels = panelQueries();

    // Stage latency p50: within the bucket that holds the exact p50 of the spans sent.
    Map<String, Double> p50 = PanelQuery.evaluate(panels.get("Stage latency p50 and p99").get(0), m);
    List<Double> bounds = m.parsed().stream().filter(s -> s.name().equals("tailstream_stage_duration_seconds_bucket"))
        .map(s -> s.labels().get("le")).filter(le -> !le.equals("+Inf")).map(Double::parseDouble)
        .distinct().sorted().toList();
    for (Map.Entry<String, List<Long>> e : sentMs.entrySet()) {
      double exact = exactQuantile(e.getValue(), 0.5) / 1000.0;
      double upper = bounds.stream().filter(b -> b >= exact).findFirst().orElseThrow();
      double lower = bounds.stream().filter(b -> b < exact).reduce((a, b) -> b).orElse(0.0);
      assertThat(p50.get("stage=" + e.getKey())).as("p50 of %s, exact %s s", e.getKey(), exact)
          .isBetween(lower, upper);
    }

    // The share panel: every stage of the workload, inference (1 to 3 calls of 40-240 ms)
    // the largest share of a request, post-processing (5-15 ms) the smallest.
    List<String> share = panels.get("Where did the time go: stage share of end-to-end latency (p50, p99)");
    assertThat(share).hasSize(2);
    for (String q : share) {
      Map<String, Double> shares = PanelQuery.evaluate(q, m);
      assertThat(shares.keySet()).as(q).containsExactlyInAnyOrder("stage=feature-retrieval",
          "stage=preprocessing", "stage=inference", "stage=ensemble", "stage=post-processing");
      assertThat(shares.values()).as(q).allSatisfy(v -> assertThat(v).isGreaterThan(0).isLessThanOrEqualTo(1));
      assertThat(shares.get("stage=inference")).as(q)
          .isGreaterThan(shares.get("stage=preprocessing")).isGreaterThan(shares.get("stage=post-processing"));
      assertThat(shares.get("stage=feature-retrieval")).as(q).isGreaterThan(shares.get("stage=post-processing"));
    }

    // The ensemble panel: shares of the models the workload runs, adding up to one.
    Map<String, Double> slowest = PanelQuery.evaluate(panels.get("Ensembles: which model is slowest").get(0), m);
    assertThat(slowest.keySet()).containsExactlyInAnyOrder("model=ranker-v3", "model=embedder-v2", "model=reranker-v1");
    assertThat(slowest.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-9));

    Map<String, Double> requests = PanelQuery.evaluate(panels.get("Requests per stage").get(0), m);
    assertThat(requests.get("stage=request")).isEqualTo(sentMs.get("request").size());
    Map<String, Double> errors = PanelQuery.evaluate(panels.get("Error ratio per stage").get(0), m);
    assertThat(errors.get("stage=ensemble")).as("the workload never fails an ensemble").isZero();
    assertThat(errors.get("stage=inference")).isGreaterThan(0).isLessThan(0.2);
    Map<String, Double> models = PanelQuery.evaluate(
        panels.get("Per-model inference p99 (all traffic, histogram)").get(0), m);
    assertThat(models).containsOnlyKeys("model=ranker-v3", "model=embedder-v2", "model=reranker-v1");
    // Slow ranker calls (850-950 ms, 5% of traces) put its p99 far above the others' (at most 240 ms).
    assertThat(models.get("model=ranker-v3")).isGreaterThan(0.6);
  }

  private static double exactQuantile(List<Long> values, double q) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get((int) Math.ceil(q * sorted.size()) - 1);
  }

  /** The queries of every panel, by title. */
  private static Map<String, List<String>> panelQueries() throws Exception {
    JsonElement dashboard = JsonParser.parseString(
        Files.readString(Path.of("deploy/grafana/tailstream-dashboard.json")));
    Map<String, List<String>> out = new java.util.LinkedHashMap<>();
    for (JsonElement panel : dashboard.getAsJsonObject().getAsJsonArray("panels")) {
      var targets = panel.getAsJsonObject().getAsJsonArray("targets");
      if (targets != null) {
        List<String> queries = new ArrayList<>();
        targets.forEach(t -> queries.add(t.getAsJsonObject().get("expr").getAsString()));
        out.put(panel.getAsJsonObject().get("title").getAsString(), queries);
      }
    }
    return out;
  }

  @Test
  @Order(5)
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
  @Order(6)
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
    for (InferenceWorkload.Trace t : batch) {
      for (var rs : t.resources()) {
        String service = rs.getResource().getAttributes(0).getValue().getStringValue();
        for (var span : rs.getScopeSpans(0).getSpansList()) {
          String stage = span.getParentSpanId().isEmpty() ? "request" : STAGE_OF_SERVICE.get(service);
          sentMs.computeIfAbsent(stage, k -> java.util.Collections.synchronizedList(new ArrayList<>()))
              .add((span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1_000_000);
        }
      }
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
