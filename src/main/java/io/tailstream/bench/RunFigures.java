package io.tailstream.bench;

/**
 * Figures of one measured app run. Tailstream-only fields are NaN / -1 for the baselines (the
 * copy and the store floor).
 *
 * @param seconds from RUNNING until the group committed the end of its input (and, for
 *     tailstream with repartition, of the repartition topic): every span buffered
 * @param decidedSeconds until every trace was decided (tailstream only)
 * @param storeBytes files of the {@code trace-spans} store after close, holding every span of the run
 */
record RunFigures(String name, BenchInput.Loaded input, double seconds, double processCpuSeconds,
    double streamThreadCpuSeconds, double decidedSeconds, double latenessP50Ms,
    double latenessP99Ms, long heapAfterGcBytes, long kept, long dropped, long storeBytes) {

  static RunFigures baseline(String name, BenchInput.Loaded input, Probe.Sample s) {
    return new RunFigures(name, input, s.seconds(), s.processCpuSeconds(),
        s.streamThreadCpuSeconds(), Double.NaN, Double.NaN, Double.NaN, -1, -1, -1, -1);
  }

  static RunFigures tailstream(String name, BenchInput.Loaded input, Probe.Sample s,
      double decidedSeconds, double p50, double p99, long heap, long kept, long dropped) {
    return new RunFigures(name, input, s.seconds(), s.processCpuSeconds(),
        s.streamThreadCpuSeconds(), decidedSeconds, p50, p99, heap, kept, dropped, -1);
  }

  RunFigures withStoreBytes(long bytes) {
    return new RunFigures(name, input, seconds, processCpuSeconds, streamThreadCpuSeconds,
        decidedSeconds, latenessP50Ms, latenessP99Ms, heapAfterGcBytes, kept, dropped, bytes);
  }

  double spansPerSecond() {
    return input.spans() / seconds;
  }

  double megabytesPerSecond() {
    return input.bytes() / seconds / 1e6;
  }

  /** Process CPU seconds per million spans (includes the in-JVM broker's share). */
  double processCpuPerMillionSpans() {
    return processCpuSeconds * 1e6 / input.spans();
  }

  double streamCpuPerMillionSpans() {
    return streamThreadCpuSeconds * 1e6 / input.spans();
  }

  /** Store bytes per span over the spans' OTLP bytes in the input, or NaN for the copy. */
  double storeBytesPerSpan() {
    return storeBytes < 0 ? Double.NaN : (double) storeBytes / input.spans();
  }

  boolean isBaseline() {
    return storeBytes < 0 && kept < 0;
  }
}
