package io.tailstream.decide;

import io.tailstream.otlp.OtelTraceState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the rules need to know about a trace, accumulated fragment by fragment so that most
 * decisions never read the spans themselves. Immutable; {@link #merge} returns a new value.
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
 */
public record TraceFacts(int spanCount, long bytes, long minStartNanos, long maxEndNanos,
    boolean rootSeen, boolean errorSeen, Map<String, Long> modelMaxNanos, Set<String> services,
    long randomness, long threshold) {

  /** A trace keeps at most this many distinct models and services: bounded summary size. */
  public static final int MAX_NAMES = 64;

  public static final TraceFacts EMPTY = new TraceFacts(0, 0, Long.MAX_VALUE, 0, false, false,
      Map.of(), Set.of(), OtelTraceState.ABSENT, OtelTraceState.ABSENT);

  public TraceFacts {
    modelMaxNanos = Map.copyOf(modelMaxNanos);
    services = Set.copyOf(services);
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
    return new TraceFacts(spanCount + other.spanCount, bytes + other.bytes,
        Math.min(minStartNanos, other.minStartNanos), Math.max(maxEndNanos, other.maxEndNanos),
        rootSeen || other.rootSeen, errorSeen || other.errorSeen, models, allServices,
        randomness != OtelTraceState.ABSENT ? randomness : other.randomness,
        Math.max(threshold, other.threshold));
  }
}
