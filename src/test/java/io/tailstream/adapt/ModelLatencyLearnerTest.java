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

  @Test
  void theLearnersOfAnInstanceShareOneByteBoundHoweverManyModelsAndRulesThereAre() {
    ModelLearners learners = new ModelLearners();
    // Five rules learning with different settings, fed model names with an id in them. Before:
    // 200 models of ~190 KB per learner, 190 MB for five, more with every changed reload.
    for (int rule = 0; rule < 5; rule++) {
      ModelLatencyLearner l = learners.learner("gen_ai.request.model", 90 + rule, 60_000, 1, 1);
      for (int i = 0; i < 20_000; i++) {
        l.record("model-" + i, 5 * MS, 0);
      }
    }
    assertThat(learners.accountedBytes()).isLessThanOrEqualTo(ModelLearners.DEFAULT_MAX_BYTES);
    long learned = learners.accountedBytes() / ModelLatencyLearner.MODEL_BYTES;
    assertThat(learned).as("one full learner's worth").isBetween(200L, 230L);
    assertThat(learners.refused()).isEqualTo(5 * 20_000 - learned);
    ModelLatencyLearner first = learners.learner("gen_ai.request.model", 90, 60_000, 1, 1);
    first.record("model-0", 5 * MS, 1_000);
    assertThat(first.thresholdNanos("model-0", 1_000)).as("a learned model still learns").isPositive();
  }

  @Test
  void modelsIdleForAWholeWindowMakeRoomForNewOnes() {
    ModelLearners learners = new ModelLearners(2 * ModelLatencyLearner.MODEL_BYTES + 100);
    ModelLatencyLearner gone = learners.learner("m", 99, 60_000, 1, 1); // a rule since removed
    ModelLatencyLearner current = learners.learner("m", 95, 60_000, 1, 1);
    gone.record("old", 5 * MS, 0);
    current.record("busy", 5 * MS, 0);
    current.record("new", 5 * MS, 30_000);
    assertThat(current.thresholdNanos("new", 30_000)).as("no room yet").isEqualTo(ModelLatencyLearner.UNKNOWN);
    assertThat(learners.refused()).isEqualTo(1);
    current.record("busy", 5 * MS, 59_000);
    current.record("new", 5 * MS, 60_000); // 'old' has had no sample for a whole window
    assertThat(current.thresholdNanos("new", 60_000)).isPositive();
    assertThat(gone.models()).isZero();
    assertThat(current.thresholdNanos("busy", 60_000)).as("recent samples keep a model").isPositive();
    assertThat(learners.accountedBytes()).isLessThanOrEqualTo(2 * ModelLatencyLearner.MODEL_BYTES + 100);
  }
}
