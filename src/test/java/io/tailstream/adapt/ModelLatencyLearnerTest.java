package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ModelLatencyLearnerTest {
  private static final long MS = 1_000_000L;

  @Test
  void percentileTimesFactorWithinOnePercent() {
    ModelLatencyLearner l = new ModelLatencyLearner(99, 60_000, 100, 1.2, 10);
    for (int i = 1; i <= 1000; i++) {
      l.record("m", i * MS, 0);
    }
    // p99 of 1..1000ms is 990ms; × 1.2 = 1188ms; HdrHistogram with 2 digits: within 1%.
    assertThat((double) l.thresholdNanos("m", 0)).isCloseTo(1188 * MS, within(12.0 * MS));
  }

  @Test
  void unknownUntilMinSamples() {
    ModelLatencyLearner l = new ModelLatencyLearner(99, 60_000, 10, 1, 10);
    for (int i = 0; i < 9; i++) {
      l.record("m", 5 * MS, 0);
    }
    assertThat(l.thresholdNanos("m", 0)).isEqualTo(ModelLatencyLearner.UNKNOWN);
    assertThat(l.thresholdNanos("other", 0)).isEqualTo(ModelLatencyLearner.UNKNOWN);
    l.record("m", 5 * MS, 0);
    assertThat(l.thresholdNanos("m", 1_000)).isPositive();
  }

  @Test
  void oldSamplesLeaveTheWindow() {
    ModelLatencyLearner l = new ModelLatencyLearner(50, 60_000, 1, 1, 10);
    for (int i = 0; i < 100; i++) {
      l.record("m", 500 * MS, 0);
    }
    assertThat(l.thresholdNanos("m", 0) / MS).isBetween(495L, 505L);
    // Two minutes later the model got fast; the slow samples are outside the 1-minute window.
    for (int i = 0; i < 100; i++) {
      l.record("m", 50 * MS, 120_000);
    }
    assertThat(l.thresholdNanos("m", 120_000) / MS).isBetween(49L, 51L);
  }

  @Test
  void modelsBeyondTheCapAreNotLearned() {
    ModelLatencyLearner l = new ModelLatencyLearner(50, 60_000, 1, 1, 2);
    l.record("a", MS, 0);
    l.record("b", MS, 0);
    l.record("c", MS, 0);
    assertThat(l.describe(0)).containsOnlyKeys("a", "b");
    assertThat(l.thresholdNanos("c", 0)).isEqualTo(ModelLatencyLearner.UNKNOWN);
  }
}
