package io.tailstream.bench;

import java.util.Map;

/**
 * Figures of one measured app run. Fields a design has no figure for are NaN / -1 (lateness,
 * heap and store for the baselines and the in-memory sampler; kept and dropped for the
 * baselines).
 *
 * @param seconds from RUNNING until the group committed the end of its input (and, for
 *     tailstream with repartition, of the repartition topic): every span buffered
 * @param decidedSeconds until every trace was decided (tailstream and the in-memory sampler)
 * @param storeBytes files of the {@code trace-spans} store after close, holding every span of the run
 * @param keptByRule kept traces per rule name, where the design reports them (else empty)
 * @param brokerWrites what the round wrote to the broker, null until measured
 */
record RunFigures(String name, BenchInput.Loaded input, double seconds, double processCpuSeconds,
    double streamThreadCpuSeconds, double decidedSeconds, double latenessP50Ms,
    double latenessP99Ms, long heapAfterGcBytes, long kept, long dropped, long storeBytes,
    Map<String, Long> keptByRule, BrokerBytes.Written brokerWrites) {

  RunFigures {
    keptByRule = Map.copyOf(keptByRule);
  }

  static RunFigures baseline(String name, BenchInput.Loaded input, Probe.Sample s) {
    return new RunFigures(name, input, s.seconds(), s.processCpuSeconds(),
        s.streamThreadCpuSeconds(), Double.NaN, Double.NaN, Double.NaN, -1, -1, -1, -1, Map.of(), null);
  }

  static RunFigures tailstream(String name, BenchInput.Loaded input, Probe.Sample s,
      double decidedSeconds, double p50, double p99, long heap, long kept, long dropped) {
    return new RunFigures(name, input, s.seconds(), s.processCpuSeconds(),
        s.streamThreadCpuSeconds(), decidedSeconds, p50, p99, heap, kept, dropped, -1, Map.of(), null);
  }

  /** The in-memory sampler: decisions and kept traces per rule, no store, no lateness figure. */
  static RunFigures inMemory(String name, BenchInput.Loaded input, Probe.Sample s,
      double decidedSeconds, InMemorySampler.Counts counts) {
    return new RunFigures(name, input, s.seconds(), s.processCpuSeconds(),
        s.streamThreadCpuSeconds(), decidedSeconds, Double.NaN, Double.NaN, -1, counts.kept(),
        counts.dropped(), -1, counts.keptByRule(), null);
  }

  RunFigures withStoreBytes(long bytes) {
    return new RunFigures(name, input, seconds, processCpuSeconds, streamThreadCpuSeconds,
        decidedSeconds, latenessP50Ms, latenessP99Ms, heapAfterGcBytes, kept, dropped, bytes,
        keptByRule, brokerWrites);
  }

  RunFigures withBrokerWrites(BrokerBytes.Written written) {
    return new RunFigures(name, input, seconds, processCpuSeconds, streamThreadCpuSeconds,
        decidedSeconds, latenessP50Ms, latenessP99Ms, heapAfterGcBytes, kept, dropped, storeBytes,
        keptByRule, written);
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

  /** Store bytes per span over the spans' OTLP bytes in the input, or NaN without a store. */
  double storeBytesPerSpan() {
    return storeBytes < 0 ? Double.NaN : (double) storeBytes / input.spans();
  }

  /** Broker bytes the round wrote per byte of its input topic; NaN when not measured. */
  double brokerBytesPerInputByte() {
    return brokerWrites == null ? Double.NaN : brokerWrites.perInputByte();
  }

  boolean isBaseline() {
    return storeBytes < 0 && kept < 0;
  }

  boolean hasStore() {
    return storeBytes >= 0;
  }
}
