package io.tailstream.adapt;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * Learns each model's recent inference latency distribution and answers "what is this model's
 * threshold now": its {@code percentile} over the last {@code window}, times {@code factor}.
 *
 * <p>Design: per model, a ring of {@link #SLICES} HdrHistograms, each covering window / SLICES of
 * time; the oldest slice is cleared when time moves past it, so the window slides in steps of one
 * slice. HdrHistogram was chosen over t-digest and DDSketch because it has a fixed memory cost
 * per histogram, constant-time recording, exact merging (needed to sum the slices) and a bounded
 * relative error (2 significant digits: 1%) that is easy to state. Values are recorded in
 * microseconds from 1 µs to 1 hour (larger values are clamped). The threshold is recomputed at
 * most once per second per model, so deciding a trace reads a cached number.
 *
 * <p>Memory is bounded: at most {@code maxModels} models (new models beyond are not learned and
 * keep the fixed default), each about SLICES × 13 KB. State lives in memory only: after a restart
 * each model is re-learned from live traffic, and until {@code minSamples} inference spans arrive
 * the fixed thresholds apply — at 100 inferences per second per model, 200 samples take 2 s.
 */
public final class ModelLatencyLearner {
  static final int SLICES = 6;
  static final long MAX_MICROS = 3_600_000_000L;
  public static final long UNKNOWN = -1;

  private final double percentile;
  private final long sliceMs;
  private final int minSamples;
  private final double factor;
  private final int maxModels;
  private final Map<String, ModelWindow> models = new ConcurrentHashMap<>();

  public ModelLatencyLearner(double percentile, long windowMs, int minSamples, double factor,
      int maxModels) {
    this.percentile = percentile;
    this.sliceMs = Math.max(1, windowMs / SLICES);
    this.minSamples = minSamples;
    this.factor = factor;
    this.maxModels = maxModels;
  }

  public void record(String model, long nanos, long nowMs) {
    ModelWindow w = models.get(model);
    if (w == null) {
      if (models.size() >= maxModels) {
        return;
      }
      w = models.computeIfAbsent(model, m -> new ModelWindow());
    }
    w.record(Math.max(1, Math.min(MAX_MICROS, nanos / 1000)), nowMs);
  }

  /** The learned threshold in nanoseconds, or {@link #UNKNOWN} before {@code minSamples}. */
  public long thresholdNanos(String model, long nowMs) {
    ModelWindow w = models.get(model);
    return w == null ? UNKNOWN : w.threshold(nowMs);
  }

  /** Per model: sample count in the window and learned threshold (ms, -1 unknown), for logs. */
  public Map<String, String> describe(long nowMs) {
    Map<String, String> out = new TreeMap<>();
    models.forEach((model, w) -> {
      long t = w.threshold(nowMs);
      out.put(model, (t == UNKNOWN ? "learning" : String.format("%.1fms", t / 1e6))
          + " (n=" + w.count(nowMs) + ")");
    });
    return out;
  }

  private final class ModelWindow {
    private final Histogram[] slices = new Histogram[SLICES];
    private final long[] sliceStart = new long[SLICES];
    private final Histogram merged = newHistogram();
    private long cachedAtMs = Long.MIN_VALUE;
    private long cachedThreshold = UNKNOWN;
    private long cachedCount;

    ModelWindow() {
      for (int i = 0; i < SLICES; i++) {
        slices[i] = newHistogram();
        sliceStart[i] = Long.MIN_VALUE;
      }
    }

    synchronized void record(long micros, long nowMs) {
      slice(nowMs).recordValue(micros);
    }

    synchronized long threshold(long nowMs) {
      refresh(nowMs);
      return cachedThreshold;
    }

    synchronized long count(long nowMs) {
      refresh(nowMs);
      return cachedCount;
    }

    private void refresh(long nowMs) {
      if (cachedAtMs != Long.MIN_VALUE && nowMs >= cachedAtMs && nowMs - cachedAtMs < 1000) {
        return;
      }
      merged.reset();
      long oldest = nowMs - (long) SLICES * sliceMs;
      for (int i = 0; i < SLICES; i++) {
        if (sliceStart[i] != Long.MIN_VALUE && sliceStart[i] > oldest) {
          merged.add(slices[i]);
        }
      }
      cachedCount = merged.getTotalCount();
      cachedThreshold = cachedCount < minSamples
          ? UNKNOWN : (long) (merged.getValueAtPercentile(percentile) * factor * 1000d);
      cachedAtMs = nowMs;
    }

    /** The slice for this time, cleared if it last held an older period. */
    private Histogram slice(long nowMs) {
      long period = Math.floorDiv(nowMs, sliceMs);
      int i = (int) Math.floorMod(period, SLICES);
      long start = period * sliceMs;
      if (sliceStart[i] != start) {
        slices[i].reset();
        sliceStart[i] = start;
      }
      return slices[i];
    }
  }

  private static Histogram newHistogram() {
    // Histogram (8-byte counts): windows may hold more than 2^31 samples of a busy model.
    return new Histogram(1, MAX_MICROS, 2);
  }
}
