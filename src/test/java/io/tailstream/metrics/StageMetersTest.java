package io.tailstream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageMetersTest {
  private static final long MS = 1_000_000L;
  private static final List<String> STAGES = List.of("request", "inference", "other");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private StageMeters meters(int services, int models, int series) {
    return new StageMeters(registry, STAGES, services, models, series);
  }

  @Test
  void spansAreCountedAndBucketedPerServiceStageAndModel() {
    StageMeters m = meters(10, 10, 100);
    m.span("model-server", 1, "ranker", 120 * MS, false);
    m.span("model-server", 1, "ranker", 80 * MS, true);
    m.span("gateway", 0, null, 300 * MS, false);

    String text = registry.scrape();
    String ranker = "model=\"ranker\",service=\"model-server\",stage=\"inference\"";
    assertThat(text)
        .contains("tailstream_stage_requests_total{" + ranker + "} 2.0")
        .contains("tailstream_stage_errors_total{" + ranker + "} 1.0")
        .contains("tailstream_stage_duration_seconds_bucket{" + ranker + ",le=\"0.1\"} 1")
        .contains("tailstream_stage_duration_seconds_bucket{" + ranker + ",le=\"0.15\"} 2")
        .contains("tailstream_stage_duration_seconds_bucket{" + ranker + ",le=\"30.0\"} 2")
        .contains("tailstream_stage_duration_seconds_count{" + ranker + "} 2")
        .contains("tailstream_stage_requests_total{model=\"\",service=\"gateway\",stage=\"request\"} 1.0")
        .contains("tailstream_stage_errors_total{model=\"\",service=\"gateway\",stage=\"request\"} 0.0");
    assertThat(text.lines().filter(l -> l.startsWith("tailstream_stage_duration_seconds_bucket{" + ranker)))
        .as("the buckets, from 1 ms to 30 s, and +Inf").hasSize(StageMeters.BUCKETS_MS.length + 1);
  }

  @Test
  void servicesAndModelsPastTheirCapsAreOther() {
    StageMeters m = meters(2, 1, 100);
    for (int i = 0; i < 50; i++) {
      m.span("svc-" + i, 2, null, MS, false);
      m.span("model-server", 1, "model-" + i, MS, false);
    }
    // svc-0 and model-server took the two service labels, model-0 the one model label.
    String text = registry.scrape();
    assertThat(text)
        .contains("tailstream_stage_requests_total{model=\"\",service=\"svc-0\",stage=\"other\"} 1.0")
        .contains("tailstream_stage_requests_total{model=\"\",service=\"other\",stage=\"other\"} 49.0")
        .contains("tailstream_stage_requests_total{model=\"model-0\",service=\"model-server\",stage=\"inference\"} 1.0")
        .contains("tailstream_stage_requests_total{model=\"other\",service=\"model-server\",stage=\"inference\"} 49.0")
        .doesNotContain("svc-1\"").doesNotContain("model-1\"");
    assertThat(m.seriesCount()).isEqualTo(4);
  }

  @Test
  void labelSetsPastTheSeriesCapShareOneOverflowSeriesPerStage() {
    StageMeters m = meters(100, 100, 3);
    for (int i = 0; i < 10; i++) {
      m.span("svc-" + i, 1, "model-" + i, MS, i % 2 == 0);
    }
    String text = registry.scrape();
    assertThat(text)
        .contains("tailstream_stage_requests_total{model=\"other\",service=\"other\",stage=\"inference\"} 7.0")
        .contains("tailstream_stage_errors_total{model=\"other\",service=\"other\",stage=\"inference\"} 3.0");
    assertThat(m.seriesCount()).isEqualTo(4);
    assertThat(text.lines().filter(l -> l.startsWith("tailstream_stage_requests_total{"))).hasSize(4);
  }

  @Test
  void theSlowestModelOfATraceThatRanSeveralIsCounted() {
    StageMeters m = meters(10, 10, 100);
    m.decided(Map.of("ranker", 120 * MS, "embedder", 60 * MS));
    m.decided(Map.of("ranker", 20 * MS, "embedder", 60 * MS, "reranker", 30 * MS));
    m.decided(Map.of("ranker", 500 * MS));
    m.decided(Map.of());
    String text = registry.scrape();
    assertThat(text).contains("tailstream_ensemble_slowest_total{model=\"ranker\"} 1.0")
        .contains("tailstream_ensemble_slowest_total{model=\"embedder\"} 1.0")
        .doesNotContain("tailstream_ensemble_slowest_total{model=\"reranker\"}");
  }

  @Test
  void aSpanOfAKnownSeriesAllocatesNothing() {
    StageMeters m = meters(10, 10, 100);
    String service = "model-server";
    String model = "ranker";
    m.span(service, 1, model, MS, false);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().getId();
    for (int i = 0; i < 20_000; i++) { // warm up, so that the JIT has compiled the path
      m.span(service, 1, model, i * 1000L, (i & 7) == 0);
    }
    long before = threads.getThreadAllocatedBytes(tid);
    for (int i = 0; i < 100_000; i++) {
      m.span(service, 1, model, i * 1000L, (i & 7) == 0);
    }
    long allocated = threads.getThreadAllocatedBytes(tid) - before;
    assertThat(allocated).as("bytes allocated for 100,000 spans").isLessThan(100_000);
  }
}
