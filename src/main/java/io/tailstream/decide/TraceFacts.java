package io.tailstream.decide;

import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TextCut;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the rules need to know about a trace, accumulated fragment by fragment so that decisions
 * never read the spans themselves. Immutable; {@link #merge} returns a new value.
 *
 * @param spanCount spans seen so far
 * @param bytes encoded size of those spans' fragments
 * @param minStartNanos earliest span start (epoch nanos), {@code Long.MAX_VALUE} when none
 * @param maxEndNanos latest span end (epoch nanos), 0 when none
 * @param rootSeen a span without parent arrived
 * @param errorSeen a span with status ERROR arrived
 * @param modelMaxNanos per model name, the longest span that carried it
 * @param services {@code service.name} of the resources seen
 * @param randomness the {@code rv} of the OpenTelemetry tracestate entry, or -1
 * @param threshold the highest incoming {@code th}, or -1
 * @param featureSetId which {@link FeatureSet} computed {@code features}; {@link #STALE_FEATURES}
 *     when fragments were summarized under different rules
 * @param features the rules' span-level features (see {@link FeatureSet}); do not modify
 * @param keyAttributes values of the dynamic samplers' key attributes, from the root span (and
 *     its resource) once it arrived, until then from the first span seen
 */
public record TraceFacts(int spanCount, long bytes, long minStartNanos, long maxEndNanos,
    boolean rootSeen, boolean errorSeen, Map<String, Long> modelMaxNanos, Set<String> services,
    long randomness, long threshold, int featureSetId, long[] features,
    Map<String, String> keyAttributes) {

  /**
   * A trace keeps at most this many distinct models and services: bounded summary size. Applied
   * where names enter (the extractor, per fragment) and again when fragments merge.
   */
  public static final int MAX_NAMES = 64;
  /**
   * Model names, service names and key values are cut to this many chars (the last one the
   * marker {@code …}): they come from producers, and a 70 KB {@code service.name} must neither
   * bloat every summary nor exceed what the internal formats can hold.
   */
  public static final int MAX_NAME_CHARS = 256;
  public static final int STALE_FEATURES = -1;
  private static final long[] NO_FEATURES = new long[0];

  public TraceFacts {
    modelMaxNanos = Map.copyOf(modelMaxNanos);
    services = Set.copyOf(services);
    keyAttributes = Map.copyOf(keyAttributes);
  }

  /** Facts without rule features (for callers that have no compiled rules at hand). */
  public TraceFacts(int spanCount, long bytes, long minStartNanos, long maxEndNanos,
      boolean rootSeen, boolean errorSeen, Map<String, Long> modelMaxNanos, Set<String> services,
      long randomness, long threshold) {
    this(spanCount, bytes, minStartNanos, maxEndNanos, rootSeen, errorSeen, modelMaxNanos,
        services, randomness, threshold, 0, NO_FEATURES, Map.of());
  }

  /**
   * {@code name} cut to {@link #MAX_NAME_CHARS} with a marker; the same string when it is short
   * enough (the common case costs a length check). A surrogate pair is never split.
   */
  public static String boundedName(String name) {
    return TextCut.cut(name, MAX_NAME_CHARS);
  }

  /** max(end) - min(start) over the spans seen; 0 before the first span. */
  public long durationNanos() {
    return spanCount == 0 || maxEndNanos < minStartNanos ? 0 : maxEndNanos - minStartNanos;
  }

  public TraceFacts merge(TraceFacts other) {
    if (spanCount == 0) {
      return other;
    }
    if (other.spanCount == 0) {
      return this;
    }
    Map<String, Long> models = modelMaxNanos;
    if (!other.modelMaxNanos.isEmpty()) {
      Map<String, Long> merged = new HashMap<>(modelMaxNanos);
      other.modelMaxNanos.forEach((model, nanos) -> {
        if (merged.containsKey(model) || merged.size() < MAX_NAMES) {
          merged.merge(model, nanos, Math::max);
        }
      });
      models = merged;
    }
    Set<String> allServices = services;
    if (!services.containsAll(other.services)) {
      Set<String> merged = new HashSet<>(services);
      for (String s : other.services) {
        if (merged.size() < MAX_NAMES) {
          merged.add(s);
        }
      }
      allServices = merged;
    }
    int mergedSet = featureSetId;
    long[] mergedFeatures;
    if (featureSetId == other.featureSetId && features.length == other.features.length) {
      mergedFeatures = features.clone();
      for (int i = 0; i < mergedFeatures.length; i++) {
        mergedFeatures[i] = Math.max(mergedFeatures[i], other.features[i]);
      }
    } else {
      mergedSet = STALE_FEATURES;
      mergedFeatures = NO_FEATURES;
    }
    return new TraceFacts(spanCount + other.spanCount, bytes + other.bytes,
        Math.min(minStartNanos, other.minStartNanos), Math.max(maxEndNanos, other.maxEndNanos),
        rootSeen || other.rootSeen, errorSeen || other.errorSeen, models, allServices,
        randomness != OtelTraceState.ABSENT ? randomness : other.randomness,
        Math.max(threshold, other.threshold), mergedSet, mergedFeatures,
        !rootSeen && other.rootSeen ? other.keyAttributes : keyAttributes);
  }
}
