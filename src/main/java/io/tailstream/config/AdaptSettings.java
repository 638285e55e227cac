package io.tailstream.config;

import java.time.Duration;

/**
 * Adaptive sampling: bounds on boosts (from operators or automatic), the automatic spike
 * detector, and how often rate changes and statistics are published.
 *
 * @param maxFactor largest accepted {@code factor} of a boost
 * @param maxTtl longest accepted boost TTL
 * @param maxConcurrent most boosts active at once; more are rejected
 * @param autoEnabled whether spikes start automatic boosts
 * @param autoInterval how often the spike detector evaluates
 * @param errorRateFactor spike when the error rate exceeds its baseline by this factor ...
 * @param errorRateFloor ... and is above this absolute rate
 * @param latencyFactor spike when p99 exceeds its baseline by this factor ...
 * @param latencyFloor ... and is above this absolute latency
 * @param minTraces fewest traces in an interval for a scope to be judged
 * @param autoSample the rate an automatic boost samples its scope at
 * @param autoTtl TTL of automatic boosts (renewed while the spike lasts)
 * @param cooldown how long a scope must stay recovered before its boost ends
 * @param ratesInterval at most one rate change per scope per interval is published
 * @param statsInterval how often per-model and per-stage statistics are published
 */
public record AdaptSettings(double maxFactor, Duration maxTtl, int maxConcurrent,
    boolean autoEnabled, Duration autoInterval, double errorRateFactor, double errorRateFloor,
    double latencyFactor, Duration latencyFloor, int minTraces, double autoSample,
    Duration autoTtl, Duration cooldown, Duration ratesInterval, Duration statsInterval) {

  public static AdaptSettings defaults() {
    return new AdaptSettings(100, Duration.ofHours(24), 50, true, Duration.ofSeconds(10), 3, 0.05,
        2, Duration.ofMillis(500), 50, 0.5, Duration.ofMinutes(15), Duration.ofMinutes(2),
        Duration.ofSeconds(10), Duration.ofMinutes(1));
  }
}
