package io.tailstream.adapt;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
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
 * <p>Memory is bounded by bytes: a model costs {@link #MODEL_BYTES} (SLICES + 1 histograms of
 * 27 KB: about 190 KB), reserved from a budget that all learners of an instance share (see
 * {@link ModelLearners}) before anything is allocated; at most {@code maxModels} per learner. When
 * the budget is full, models without a sample for a whole window (their threshold is unknown
 * again, so nothing is lost) are forgotten to make room; models that still do not fit are not
 * learned, keep the fixed default and are counted. State lives in memory only: after a restart
 * each model is re-learned from live traffic, and until {@code minSamples} inference spans arrive
 * the fixed thresholds apply — at 100 inferences per second per model, 200 samples take 2 s.
 */
public final class ModelLatencyLearner {
  static final int SLICES = 6;
  static final long MAX_MICROS = 3_600_000_000L;
  public static final long UNKNOWN = -1;
  /** The slices and the merged histogram, the window's arrays and fields and its map entry. */
  static final long MODEL_BYTES = (SLICES + 1) * newHistogram().getEstimatedFootprintInBytes() + 512;

  private final double percentile;
  private final long sliceMs;
  private final int minSamples;
  private final double factor;
  private final int maxModels;
  private final ByteBudget budget;
  private final LongConsumer reclaim;
  private final Map<String, ModelWindow> models = new ConcurrentHashMap<>();

  /** A learner of its own, with a budget of {@link ModelLearners#DEFAULT_MAX_BYTES}. */
  public ModelLatencyLearner(double percentile, long windowMs, int minSamples, double factor,
      int maxModels) {
    this(percentile, windowMs, minSamples, factor, maxModels,
        new ByteBudget(ModelLearners.DEFAULT_MAX_BYTES), null);
  }

  /**
   * A learner whose models take their bytes from {@code budget}; {@code reclaim} is asked to
   * forget idle models (of every learner sharing the budget) when it is full, null for this
   * learner's only.
   */
  ModelLatencyLearner(double percentile, long windowMs, int minSamples, double factor,
      int maxModels, ByteBudget budget, LongConsumer reclaim) {
    this.percentile = percentile;
    this.sliceMs = Math.max(1, windowMs / SLICES);
    this.minSamples = minSamples;
    this.factor = factor;
    this.maxModels = maxModels;
    this.budget = budget;
    this.reclaim = reclaim == null ? this::forgetIdle : reclaim;
  }

  public void record(String model, long nanos, long nowMs) {
    ModelWindow w = models.get(model);
    if (w == null) {
      w = admit(model, nowMs);
      if (w == null) {
        return;
      }
    }
    w.record(Math.max(1, Math.min(MAX_MICROS, nanos / 1000)), nowMs);
  }

  /** A new model's window if it fits the count and the bytes; null (counted) if not. */
  private ModelWindow admit(String model, long nowMs) {
    if (models.size() >= maxModels) {
      budget.refuse();
      return null;
    }
    long bytes = MODEL_BYTES + 2L * model.length();
    if (!budget.tryReserve(bytes)) {
      reclaim.accept(nowMs);
      if (!budget.tryReserve(bytes)) {
        budget.refuse();
        return null;
      }
    }
    // Reserved outside computeIfAbsent: reclaiming removes from this map, which a mapping
    // function must not do. Another thread may have added the model meanwhile: give back.
    ModelWindow created = new ModelWindow(bytes, nowMs);
    ModelWindow w = models.putIfAbsent(model, created);
    if (w != null) {
      budget.release(bytes);
      return w;
    }
    return created;
  }

  /**
   * Forgets the models without a sample for a whole window: their threshold is unknown again,
   * so forgetting them loses nothing. A sample that reaches one as it goes is lost.
   */
  void forgetIdle(long nowMs) {
    long window = SLICES * sliceMs;
    models.forEach((model, w) -> {
      if (w.idleFor(nowMs) >= window && models.remove(model, w)) {
        budget.release(w.bytes);
      }
    });
  }

  /** Models learned now. */
  int models() {
    return models.size();
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
    /** What this model was accounted at, released when it is forgotten. */
    final long bytes;
    private long lastRecordMs;
    private long cachedAtMs = Long.MIN_VALUE;
    private long cachedThreshold = UNKNOWN;
    private long cachedCount;

    ModelWindow(long bytes, long nowMs) {
      this.bytes = bytes;
      this.lastRecordMs = nowMs;
      for (int i = 0; i < SLICES; i++) {
        slices[i] = newHistogram();
        sliceStart[i] = Long.MIN_VALUE;
      }
    }

    synchronized void record(long micros, long nowMs) {
      slice(nowMs).recordValue(micros);
      lastRecordMs = Math.max(lastRecordMs, nowMs);
    }

    synchronized long idleFor(long nowMs) {
      return nowMs - lastRecordMs;
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
