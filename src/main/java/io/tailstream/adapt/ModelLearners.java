package io.tailstream.adapt;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The learners of one instance, keyed by what they learn (attribute, percentile, window,
 * min-samples, factor), so that reloading rules keeps what a learner already knows when its rule
 * did not change.
 *
 * <p>All learners take their models' bytes from one budget: a learner per rule and per reload
 * that changed its settings, each with up to {@link #MAX_MODELS} models of ~190 KB, had no bound
 * in total (one learner alone could hold 38 MB). Learners of rules that are gone stop receiving
 * samples, so their models go idle and are forgotten when a new model needs the room.
 */
public final class ModelLearners {
  /** Models learned per learner; more are not learned and keep their fixed thresholds. */
  public static final int MAX_MODELS = 200;
  /** 40 MiB over all learners: about 220 models, one full learner's worth. */
  public static final long DEFAULT_MAX_BYTES = 40L << 20;
  /** A burst of new model names must not sweep every learner on every span. */
  private static final long RECLAIM_INTERVAL_MS = 1_000;

  private final Map<String, ModelLatencyLearner> learners = new ConcurrentHashMap<>();
  private final ByteBudget budget;
  private final AtomicLong lastReclaimMs = new AtomicLong(Long.MIN_VALUE);

  public ModelLearners() {
    this(DEFAULT_MAX_BYTES);
  }

  /** {@code maxBytes}: what the models of all learners may hold together. */
  public ModelLearners(long maxBytes) {
    this.budget = new ByteBudget(maxBytes);
  }

  public ModelLatencyLearner learner(String attribute, double percentile, long windowMs,
      int minSamples, double factor) {
    String key = attribute + "|p" + percentile + "|" + windowMs + "ms|n" + minSamples + "|x" + factor;
    return learners.computeIfAbsent(key, k -> new ModelLatencyLearner(percentile, windowMs,
        minSamples, factor, MAX_MODELS, budget, this::reclaim));
  }

  /** Forgets the idle models of every learner, at most once per {@link #RECLAIM_INTERVAL_MS}. */
  private void reclaim(long nowMs) {
    long last = lastReclaimMs.get();
    boolean recent = last != Long.MIN_VALUE && nowMs >= last && nowMs - last < RECLAIM_INTERVAL_MS;
    if (recent || !lastReclaimMs.compareAndSet(last, nowMs)) {
      return;
    }
    learners.values().forEach(l -> l.forgetIdle(nowMs));
  }

  /** Bytes the learned models hold, as accounted against the budget. */
  public long accountedBytes() {
    return budget.used();
  }

  public long maxBytes() {
    return budget.maxBytes();
  }

  /** Samples of models that were not learned: over a learner's count or the shared budget. */
  public long refused() {
    return budget.refused();
  }

  /** Learned thresholds per learner and model, for the periodic log line. */
  public Map<String, Map<String, String>> describe(long nowMs) {
    Map<String, Map<String, String>> out = new TreeMap<>();
    learners.forEach((key, learner) -> out.put(key, learner.describe(nowMs)));
    return out;
  }
}
