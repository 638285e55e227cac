package io.tailstream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tailstream.adapt.EffectiveRates;
import io.tailstream.adapt.StageStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdaptiveGaugesTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final int[] boosts = {2};
  private final AdaptiveGauges gauges = new AdaptiveGauges(registry, () -> boosts[0]);

  @Test
  void ratesPerScopeAndActiveBoosts() {
    gauges.rates(new EffectiveRates.Snapshot(0.01, Map.of("ranker", 0.5)));
    assertThat(registry.scrape()).contains("tailstream_effective_rate{scope=\"default\"} 0.01")
        .contains("tailstream_effective_rate{scope=\"service:ranker\"} 0.5")
        .contains("tailstream_boosts_active 2.0");
    gauges.rates(new EffectiveRates.Snapshot(0.01, Map.of()));
    boosts[0] = 0;
    assertThat(registry.scrape()).doesNotContain("service:ranker").contains("tailstream_boosts_active 0.0");
  }

  @Test
  void modelFiguresOutliveAFewQuietIntervalsThenGo() {
    gauges.stageStats(List.of(stat("model", "ranker-v3", 800), stat("stage", "feature-store", 40)));
    assertThat(registry.scrape())
        .contains("tailstream_latency_p99_seconds{kind=\"model\",name=\"ranker-v3\"} 0.8")
        .contains("tailstream_latency_p99_seconds{kind=\"stage\",name=\"feature-store\"} 0.04")
        .contains("tailstream_error_ratio{kind=\"model\",name=\"ranker-v3\"} 0.1");
    for (int i = 0; i < AdaptiveGauges.IDLE_INTERVALS; i++) {
      gauges.stageStats(List.of(stat("stage", "feature-store", 50)));
    }
    assertThat(registry.scrape()).contains("name=\"ranker-v3\"} 0.8")
        .contains("tailstream_latency_p99_seconds{kind=\"stage\",name=\"feature-store\"} 0.05");
    gauges.stageStats(List.of());
    assertThat(registry.scrape()).doesNotContain("ranker-v3").contains("feature-store");
  }

  @Test
  void seriesAreCappedPerKind() {
    List<StageStats.Stat> many = new ArrayList<>();
    for (int i = 0; i < AdaptiveGauges.MAX_SERIES + 20; i++) {
      many.add(stat("model", "m" + i, 10));
    }
    many.add(stat("stage", "gateway", 10));
    gauges.stageStats(many);
    String text = registry.scrape();
    assertThat(text.lines().filter(l -> l.startsWith("tailstream_latency_p99_seconds{kind=\"model\"")).count())
        .isEqualTo(AdaptiveGauges.MAX_SERIES);
    assertThat(text).contains("name=\"gateway\"");
  }

  private static StageStats.Stat stat(String kind, String name, double p99Ms) {
    return new StageStats.Stat(kind, name, 100, 0.1, p99Ms / 2, p99Ms * 0.9, p99Ms);
  }

  @Test
  void boundedStateShowsItsBytesAndRefusals() {
    long[] held = {27_000};
    long[] refused = {0};
    gauges.boundedState("spike_scopes", () -> held[0], () -> refused[0]);
    held[0] = 16_000_000;
    refused[0] = 99_388;
    assertThat(registry.scrape())
        .contains("tailstream_adapt_state_bytes{state=\"spike_scopes\"} 1.6E7")
        .contains("tailstream_adapt_refused_total{state=\"spike_scopes\"} 99388.0");
  }
}
