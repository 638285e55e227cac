package io.tailstream.config;

import java.time.Duration;

/**
 * When a buffered trace is decided: at the earliest of first span + {@code maxWait} (the {@code wait} key), root span +
 * {@code afterRoot} and last span + {@code idle} (all arrival wall-clock time), or at once when it
 * reaches {@code maxSpansPerTrace} or {@code maxBytesPerTrace}. Decisions are remembered for
 * {@code lateSpanTtl}; {@code checkInterval} is how often due traces are looked for.
 */
public record DecisionSettings(Duration maxWait, Duration afterRoot, Duration idle,
    int maxSpansPerTrace, long maxBytesPerTrace, Duration lateSpanTtl, Duration checkInterval) {
}
