package io.tailstream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tailstream.buffer.TraceSummary;
import io.tailstream.metrics.TailstreamMetrics.DeadLetterReason;
import java.util.List;
import org.junit.jupiter.api.Test;

class TailstreamMetricsTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final TailstreamMetrics metrics = new TailstreamMetrics(registry);

  @Test
  void countersAreExportedWithTheirLabels() {
    metrics.recordIn(7);
    metrics.deadLettered(DeadLetterReason.INVALID_TRACE_ID, 2);
    metrics.decided(true, "errors", TraceSummary.Trigger.WAIT);
    metrics.decided(false, "no-rule-matched", TraceSummary.Trigger.SPAN_CAP);
    metrics.lateSpans(false, 3);

    String text = registry.scrape();
    assertThat(text)
        .contains("tailstream_spans_in_total 7.0")
        .contains("tailstream_records_in_total 1.0")
        .contains("tailstream_dead_letter_spans_total{reason=\"invalid_trace_id\"} 2.0")
        .contains("tailstream_dead_letter_records_total{reason=\"unreadable\"} 0.0")
        .contains("tailstream_traces_total{outcome=\"kept\",rule=\"errors\"} 1.0")
        .contains("tailstream_traces_total{outcome=\"dropped\",rule=\"no-rule-matched\"} 1.0")
        .contains("tailstream_decisions_total{trigger=\"span_cap\"} 1.0")
        .contains("tailstream_late_spans_total{outcome=\"dropped\"} 3.0");
  }

  @Test
  void decidedTracesFeedTheEnsembleMeterOnceStagesAreMetered() {
    metrics.modelsOfDecided(java.util.Map.of("a", 2L, "b", 1L)); // not metered yet: ignored
    metrics.meterStages(List.of("inference", "other"), 10, 10, 100);
    metrics.modelsOfDecided(java.util.Map.of("a", 2L, "b", 1L));
    assertThat(registry.scrape()).contains("tailstream_ensemble_slowest_total{model=\"a\"} 1.0");
  }

  @Test
  void boostDecisionsShareOneLabelSoTheSeriesStayBounded() {
    for (int i = 0; i < 50; i++) {
      metrics.decided(true, "boost:incident-" + i, TraceSummary.Trigger.WAIT);
    }
    assertThat(registry.scrape()).contains("tailstream_traces_total{outcome=\"kept\",rule=\"boost:*\"} 50.0")
        .doesNotContain("incident-");
    assertThat(metrics.keptByRule()).hasSize(50); // the log line keeps the ids
  }

  @Test
  void rulesVersionFollowsReloadsAndEveryRuleStartsAtZero() {
    metrics.rulesLoaded("v1", List.of("errors", "slow"));
    assertThat(registry.scrape()).contains("tailstream_rules_version{version=\"v1\"} 1.0")
        .contains("tailstream_traces_total{outcome=\"kept\",rule=\"slow\"} 0.0");
    metrics.rulesLoaded("v2", List.of("errors"));
    assertThat(registry.scrape()).contains("tailstream_rules_version{version=\"v2\"} 1.0")
        .doesNotContain("version=\"v1\"");
    assertThat(metrics.keptByRule()).isEmpty();
  }

  @Test
  void decisionDelayIsAHistogramInSeconds() {
    metrics.decisionDelay(12_000);
    metrics.decisionLateness(300);
    String text = registry.scrape();
    assertThat(text).contains("tailstream_decision_delay_seconds_bucket{le=\"10.0\"} 0")
        .contains("tailstream_decision_delay_seconds_bucket{le=\"15.0\"} 1")
        .contains("tailstream_decision_lateness_seconds_bucket{le=\"0.5\"} 1")
        .contains("tailstream_decision_delay_seconds_count 1");
  }

  @Test
  void refusedRecordsAreCountedPerTopic() {
    metrics.recordRefused("sampled_traces", 0);
    assertThat(registry.scrape()).contains("tailstream_records_refused_total{topic=\"sampled_traces\"} 0.0");
    metrics.recordRefused("sampled_traces");
    metrics.recordRefused("sampled_traces");
    assertThat(registry.scrape()).contains("tailstream_records_refused_total{topic=\"sampled_traces\"} 2.0");
  }

  @Test
  void stressAndBufferGaugesReadTheCurrentState() {
    metrics.bufferedDelta(4);
    metrics.bufferedBytesDelta(1_000);
    metrics.stress(true);
    assertThat(registry.scrape()).contains("tailstream_buffered_traces 4.0")
        .contains("tailstream_buffered_bytes 1000.0").contains("tailstream_stress_active 1.0");
    metrics.stress(false);
    assertThat(registry.scrape()).contains("tailstream_stress_active 0.0");
  }
}
