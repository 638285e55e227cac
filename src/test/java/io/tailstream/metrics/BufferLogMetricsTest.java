package io.tailstream.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class BufferLogMetricsTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final BufferLogMetrics metrics = new BufferLogMetrics(registry);

  @Test
  void accessorsSumEveryRebuildAsTheExportedCountersDo() {
    metrics.rebuilt(10, 4_000, 0, 250);
    metrics.rebuilt(5, 1_000, 2, 1_250);

    assertThat(metrics.rebuilds()).isEqualTo(2);
    assertThat(metrics.recordsReread()).isEqualTo(15);
    assertThat(metrics.bytesReread()).isEqualTo(5_000);
    assertThat(metrics.rereadMillis()).isEqualTo(1_500);
    assertThat(metrics.missingRecords()).isEqualTo(2);
    assertThat(registry.scrape())
        .contains("tailstream_reread_bytes_total 5000.0")
        .contains("tailstream_reread_seconds_total 1.5");
  }
}
