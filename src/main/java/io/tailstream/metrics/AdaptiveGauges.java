package io.tailstream.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.tailstream.adapt.EffectiveRates;
import io.tailstream.adapt.StageStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * What adaptive sampling is doing, as gauges: active boosts, the effective head-sampling rate per
 * scope, and the latest interval's latency of each model and pipeline stage (over every span,
 * kept or not). Refreshed by the instance's periodic tasks, not by scrapes.
 *
 * <p>Cardinality is bounded: at most {@value #MAX_SERIES} scopes, models and stages each; the
 * rest are left out of the gauges (they still reach the rates topic).
 */
public final class AdaptiveGauges {
  static final int MAX_SERIES = 100;
  static final int IDLE_INTERVALS = 5;

  private final MeterRegistry registry;
  private final MultiGauge effectiveRate;
  private final MultiGauge latencyP99;
  private final MultiGauge errorRatio;
  private final Map<String, Held> held = new LinkedHashMap<>();

  public AdaptiveGauges(MeterRegistry registry, IntSupplier activeBoosts) {
    this.registry = registry;
    Gauge.builder("tailstream.boosts.active", activeBoosts::getAsInt)
        .description("boosts in force on this instance").register(registry);
    effectiveRate = MultiGauge.builder("tailstream.effective.rate")
        .description("head-sampling probability tailstream publishes, per scope (default or a boosted service)")
        .register(registry);
    latencyP99 = MultiGauge.builder("tailstream.latency.p99").baseUnit("seconds")
        .description("p99 span duration over the last stats interval, per model and per stage (service)")
        .register(registry);
    errorRatio = MultiGauge.builder("tailstream.error.ratio")
        .description("fraction of spans with error status over the last stats interval, per model and stage")
        .register(registry);
  }

  /**
   * Adaptive state that input can grow (spike scopes, learned models, stage statistics): the
   * bytes it holds against its bound, and what it refused for want of room. The meters read the
   * suppliers at each scrape; {@code state} names the holder.
   */
  public void boundedState(String state, LongSupplier bytes, LongSupplier refused) {
    Gauge.builder("tailstream.adapt.state", bytes::getAsLong).baseUnit("bytes").tag("state", state)
        .description("bytes held by adaptive state that input can grow, against its bound")
        .register(registry);
    FunctionCounter.builder("tailstream.adapt.refused", refused, LongSupplier::getAsLong).tag("state", state)
        .description("spans whose scope, model or stage was not tracked: over its byte or count bound")
        .register(registry);
  }

  public void rates(EffectiveRates.Snapshot snapshot) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    rows.add(MultiGauge.Row.of(Tags.of("scope", "default"), snapshot.defaultRate()));
    for (Map.Entry<String, Double> e : snapshot.services().entrySet()) {
      if (rows.size() >= MAX_SERIES) {
        break;
      }
      rows.add(MultiGauge.Row.of(Tags.of("scope", "service:" + e.getKey()), e.getValue()));
    }
    effectiveRate.register(rows, true);
  }

  /**
   * One interval's stage and model figures. A key without traffic keeps its last figures for
   * {@value #IDLE_INTERVALS} intervals, so bursty traffic does not make series flap, then goes.
   */
  public synchronized void stageStats(List<StageStats.Stat> stats) {
    held.values().forEach(h -> h.idle++);
    for (StageStats.Stat s : stats) {
      boolean model = s.kind().equals("model");
      if (!model && !s.kind().equals("stage")) {
        continue; // the overflow bucket
      }
      String key = s.kind() + "/" + s.name();
      if (!held.containsKey(key) && count(s.kind()) >= MAX_SERIES) {
        continue;
      }
      held.put(key, new Held(s.kind(), Tags.of("kind", s.kind(), "name", s.name()), s.p99Ms() / 1000.0,
          s.errorRate()));
    }
    held.values().removeIf(h -> h.idle > IDLE_INTERVALS);
    List<MultiGauge.Row<?>> latency = new ArrayList<>();
    List<MultiGauge.Row<?>> errors = new ArrayList<>();
    for (Held h : held.values()) {
      latency.add(MultiGauge.Row.of(h.tags, h.p99Seconds));
      errors.add(MultiGauge.Row.of(h.tags, h.errorRatio));
    }
    latencyP99.register(latency, true);
    errorRatio.register(errors, true);
  }

  private long count(String kind) {
    return held.values().stream().filter(h -> h.kind.equals(kind)).count();
  }

  private static final class Held {
    final String kind;
    final Tags tags;
    final double p99Seconds;
    final double errorRatio;
    int idle;

    Held(String kind, Tags tags, double p99Seconds, double errorRatio) {
      this.kind = kind;
      this.tags = tags;
      this.p99Seconds = p99Seconds;
      this.errorRatio = errorRatio;
    }
  }
}
