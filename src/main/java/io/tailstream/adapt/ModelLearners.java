package io.tailstream.adapt;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The learners of one instance, keyed by what they learn (attribute, percentile, window,
 * min-samples, factor), so that reloading rules keeps what a learner already knows when its rule
 * did not change.
 */
public final class ModelLearners {
  /** Models learned per learner; more are not learned and keep their fixed thresholds. */
  public static final int MAX_MODELS = 200;

  private final Map<String, ModelLatencyLearner> learners = new ConcurrentHashMap<>();

  public ModelLatencyLearner learner(String attribute, double percentile, long windowMs,
      int minSamples, double factor) {
    String key = attribute + "|p" + percentile + "|" + windowMs + "ms|n" + minSamples + "|x" + factor;
    return learners.computeIfAbsent(key,
        k -> new ModelLatencyLearner(percentile, windowMs, minSamples, factor, MAX_MODELS));
  }

  /** Learned thresholds per learner and model, for the periodic log line. */
  public Map<String, Map<String, String>> describe(long nowMs) {
    Map<String, Map<String, String>> out = new TreeMap<>();
    learners.forEach((key, learner) -> out.put(key, learner.describe(nowMs)));
    return out;
  }
}
