package io.tailstream.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.pause.NoPauseDetector;
import io.tailstream.adapt.StageObserver;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * RED metrics per pipeline stage over every span, kept or not — what the Collector's
 * {@code spanmetrics} connector would compute upstream: {@code tailstream_stage_duration_seconds}
 * (a classic histogram), {@code tailstream_stage_requests_total} and
 * {@code tailstream_stage_errors_total}, labelled {@code service}, {@code stage} and
 * {@code model} ({@code ""} on spans without one); and {@code tailstream_ensemble_slowest_total},
 * per model, the traces that ran two or more models in which it was the slowest.
 *
 * <p>Design: {@link #span} runs once per span of all the traffic, on every stream thread. Its
 * path is two hash lookups keyed by the Strings the span already carries (a service name is the
 * cached Resource's own String) and a row indexed by stage, to a {@link Series} whose Micrometer
 * timer and counter were registered when it was first seen: no label is built, no meter looked
 * up and nothing allocated once a series exists. Memory and series are bounded three ways:
 * {@code service} and {@code model} values beyond their caps are {@value BoundedLabels#OTHER}
 * (their spans then take the {@code other} row without being remembered, so unbounded input
 * names cannot grow the maps), and past {@code maxSeries} label sets a stage's new ones share
 * one overflow series ({@code service="other", model="other"}). A series costs about
 * {@value #SERIES_SAMPLES} exported samples (buckets, sum, count, max, requests, errors).
 *
 * <p>Buckets: {@link #BUCKETS_MS}, roughly exponential from 1 ms to 30 s, finer from 50 ms to
 * 1 s where model inference usually lies. Classic buckets (not native histograms) so that any
 * Prometheus and the text scrape read them; quantiles from them are interpolated within a
 * bucket, so a p99 is known to within its bucket's width.
 */
public final class StageMeters implements StageObserver {
  /** Upper bounds of the duration buckets, in ms (+Inf is added). */
  static final long[] BUCKETS_MS = {1, 2, 5, 10, 25, 50, 75, 100, 150, 250, 400, 600, 1_000, 1_500,
      2_500, 5_000, 10_000, 30_000};
  static final int SERIES_SAMPLES = BUCKETS_MS.length + 6;
  /** The {@code model} label of spans without a model. */
  static final String NO_MODEL = "";

  private final MeterRegistry registry;
  private final List<String> stages;
  private final int maxSeries;
  private final BoundedLabels services;
  private final BoundedLabels models;
  private final Duration[] buckets;
  /** By the span's service.name as it came (admitted values only). */
  private final Map<String, Row> rows = new ConcurrentHashMap<>();
  private final Row noService;
  private final Row otherService;
  /** By "service\0stage\0model": one Series per label set, however it was reached. */
  private final Map<String, Series> series = new ConcurrentHashMap<>();
  private final Map<String, Counter> slowest = new ConcurrentHashMap<>();

  /**
   * @param stages the stage labels, indexed as the {@link io.tailstream.adapt.StageMap} that
   *     classifies the spans numbers them
   */
  public StageMeters(MeterRegistry registry, List<String> stages, int maxServices, int maxModels,
      int maxSeries) {
    this.registry = registry;
    this.stages = List.copyOf(stages);
    this.maxSeries = maxSeries;
    this.services = new BoundedLabels(maxServices);
    this.models = new BoundedLabels(maxModels);
    this.buckets = new Duration[BUCKETS_MS.length];
    for (int i = 0; i < BUCKETS_MS.length; i++) {
      buckets[i] = Duration.ofMillis(BUCKETS_MS[i]);
    }
    this.noService = new Row("");
    this.otherService = new Row(BoundedLabels.OTHER);
  }

  @Override
  public void span(String service, int stage, String model, long durationNanos, boolean error) {
    Series s = row(service).series(stage, model);
    s.timer.record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
    if (error) {
      s.errors.increment();
    }
  }

  /**
   * A trace was decided: if it ran two or more models, the slowest (its longest span) is
   * counted. {@code modelMaxNanos} is the trace's facts: per model, its longest span.
   */
  public void decided(Map<String, Long> modelMaxNanos) {
    if (modelMaxNanos.size() < 2) {
      return;
    }
    String slowestModel = null;
    long max = -1;
    for (Map.Entry<String, Long> e : modelMaxNanos.entrySet()) {
      if (e.getValue() > max) {
        max = e.getValue();
        slowestModel = e.getKey();
      }
    }
    String label = models.of(slowestModel);
    Counter c = slowest.get(label);
    if (c == null) {
      c = slowest.computeIfAbsent(label, l -> Counter.builder("tailstream.ensemble.slowest")
          .description("traces that ran two or more models (an ensemble), by the model whose "
              + "span was the longest")
          .tag("model", l).register(registry));
    }
    c.increment();
  }

  /** Label sets exported (at most maxSeries, plus one overflow series per stage). */
  int seriesCount() {
    return series.size();
  }

  private Row row(String service) {
    if (service == null) {
      return noService;
    }
    Row r = rows.get(service);
    if (r != null) {
      return r;
    }
    String label = services.of(service);
    if (label.equals(BoundedLabels.OTHER) && !services.admitted(service)) {
      return otherService;
    }
    return rows.computeIfAbsent(service, s -> new Row(label));
  }

  private synchronized Series create(String service, int stage, String model) {
    String key = service + '\0' + stage + '\0' + model;
    Series s = series.get(key);
    if (s != null) {
      return s;
    }
    if (series.size() >= maxSeries) {
      key = BoundedLabels.OTHER + '\0' + stage + '\0' + BoundedLabels.OTHER;
      s = series.get(key);
      if (s != null) {
        return s;
      }
      service = BoundedLabels.OTHER;
      model = BoundedLabels.OTHER;
    }
    Tags tags = Tags.of("service", service, "stage", stages.get(stage), "model", model);
    Timer timer = Timer.builder("tailstream.stage.duration")
        .description("span durations per pipeline stage, over every span (kept or not)")
        .serviceLevelObjectives(buckets).tags(tags)
        // Durations come from the spans, not from timing here: this JVM's pauses do not touch
        // them, and the default pause detector's interval estimator costs a lock per record.
        .pauseDetector(new NoPauseDetector())
        .register(registry);
    FunctionCounter.builder("tailstream.stage.requests", timer, Timer::count)
        .description("spans per pipeline stage, over every span (kept or not)").tags(tags)
        .register(registry);
    Counter errors = Counter.builder("tailstream.stage.errors")
        .description("spans with error status per pipeline stage, over every span (kept or not)")
        .tags(tags).register(registry);
    s = new Series(timer, errors);
    series.put(key, s);
    return s;
  }

  /** The series of one service label, by stage; with a model, by model too. */
  private final class Row {
    final String label;
    final Series[] plain = new Series[stages.size()];
    @SuppressWarnings("unchecked")
    final Map<String, Series>[] byModel = new Map[stages.size()];
    final Series[] otherModel = new Series[stages.size()];

    Row(String label) {
      this.label = label;
      for (int i = 0; i < byModel.length; i++) {
        byModel[i] = new ConcurrentHashMap<>();
      }
    }

    Series series(int stage, String model) {
      if (model == null) {
        Series s = plain[stage];
        if (s == null) {
          s = plain[stage] = create(label, stage, NO_MODEL);
        }
        return s;
      }
      Series s = byModel[stage].get(model);
      if (s != null) {
        return s;
      }
      String modelLabel = models.of(model);
      if (modelLabel.equals(BoundedLabels.OTHER) && !models.admitted(model)) {
        s = otherModel[stage];
        if (s == null) {
          s = otherModel[stage] = create(label, stage, BoundedLabels.OTHER);
        }
        return s;
      }
      s = create(label, stage, modelLabel);
      byModel[stage].put(model, s);
      return s;
    }
  }

  /** The meters of one label set. */
  private record Series(Timer timer, Counter errors) {}
}
