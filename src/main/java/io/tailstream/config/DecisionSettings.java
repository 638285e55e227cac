package io.tailstream.config;

import java.time.Duration;

/**
 * When a buffered trace is decided: at the earliest of first span + {@code maxWait} (the {@code wait} key), root span +
 * {@code afterRoot} and last span + {@code idle} (all arrival wall-clock time), or at once when it
 * reaches {@code maxSpansPerTrace} or {@code maxBytesPerTrace}. Decisions are remembered for
 * {@code lateSpanTtl}; {@code checkInterval} is how often due traces are looked for.
 */
public record DecisionSettings(Duration maxWait, Duration afterRoot, Duration idle,
    int maxSpansPerTrace, long maxBytesPerTrace, Duration lateSpanTtl, Duration checkInterval,
    Duration deliverySlack, Stress stress) {

  /**
   * Stress relief: past {@code high} of {@code maxBufferedBytes} (per instance) or
   * {@code heapHigh} of the heap, new traces are decided at once — kept when an error is already
   * visible, else at {@code sample} by trace randomness — until back below {@code low}.
   */
  public record Stress(long maxBufferedBytes, double high, double low, double heapHigh, double sample) {
    public static Stress defaults() {
      return new Stress(512L << 20, 0.9, 0.7, 0.85, 0.01);
    }
  }
}
