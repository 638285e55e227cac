package io.tailstream.adapt;

/**
 * Told of every span seen at split time with its pipeline stage: the exporter of per-stage
 * latency histograms and request and error counters. Called from every stream thread, once
 * per span of all the traffic, so an implementation must be cheap and allocate nothing.
 */
public interface StageObserver {
  /**
   * @param service the span's {@code service.name}, or null
   * @param stage the index of its stage in the {@link StageMap} the observer was given
   * @param model the span's model (the rules' model attribute), or null
   */
  void span(String service, int stage, String model, long durationNanos, boolean error);
}
