package io.tailstream.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Durations in milliseconds, recorded twice: into a Micrometer timer with fixed buckets (what
 * Prometheus aggregates across instances) and into an HdrHistogram since start (the exact
 * percentiles the log line, the demo and the bench print). Values are clamped to [min, 1 h].
 */
final class MillisHistogram {
  private static final long MAX_MS = 3_600_000L;

  private final long minMs;
  private final Recorder recorder;
  private final Histogram total;
  private final Timer timer;

  MillisHistogram(MeterRegistry registry, String name, String description, long minMs, long... bucketsMs) {
    this.minMs = minMs;
    this.recorder = new Recorder(MAX_MS, 2);
    this.total = new Histogram(MAX_MS, 2);
    Duration[] buckets = new Duration[bucketsMs.length];
    for (int i = 0; i < bucketsMs.length; i++) {
      buckets[i] = Duration.ofMillis(bucketsMs[i]);
    }
    this.timer = Timer.builder(name).description(description).serviceLevelObjectives(buckets).register(registry);
  }

  void record(long ms) {
    long bounded = Math.max(minMs, Math.min(MAX_MS, ms));
    recorder.recordValue(bounded);
    timer.record(bounded, TimeUnit.MILLISECONDS);
  }

  /** A percentile since start, in ms (0 before the first value). */
  synchronized double percentile(double percentile) {
    total.add(recorder.getIntervalHistogram());
    return total.getTotalCount() == 0 ? 0 : total.getValueAtPercentile(percentile);
  }
}
