package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StageStatsTest {
  @Test
  void percentilesErrorRateAndCountPerModelAndStageThenAFreshInterval() {
    StageStats stats = new StageStats();
    for (int i = 1; i <= 100; i++) {
      stats.observe("model-server", "ranker-v3", i * 1_000_000L, i > 95);
      stats.observe("feature-store", null, 20_000_000L, false);
    }
    List<StageStats.Stat> drained = stats.drain();
    StageStats.Stat model = drained.stream().filter(s -> s.kind().equals("model")).findFirst().orElseThrow();
    assertThat(model.name()).isEqualTo("ranker-v3");
    assertThat(model.count()).isEqualTo(100);
    assertThat(model.errorRate()).isEqualTo(0.05);
    assertThat(model.p50Ms()).isCloseTo(50, within(1.0));
    assertThat(model.p95Ms()).isCloseTo(95, within(1.0));
    assertThat(model.p99Ms()).isCloseTo(99, within(1.0));
    assertThat(drained).extracting(StageStats.Stat::name)
        .containsExactlyInAnyOrder("ranker-v3", "model-server", "feature-store");
    assertThat(stats.drain()).as("reset after each interval").isEmpty();
  }

  @Test
  void longNamesCountAgainstTheByteBoundNotOnlyTheKeyCount() {
    StageStats stats = new StageStats();
    String padding = "x".repeat(20_000);
    for (int i = 0; i < 1_000; i++) {
      stats.observe(padding + i, null, 1_000_000L, false);
    }
    // Before: 1,000 keys of 27 KB histograms and 80 KB of names each, 107 MB.
    assertThat(stats.accountedBytes()).isLessThanOrEqualTo(StageStats.DEFAULT_MAX_BYTES);
    long kept = stats.drain().size();
    assertThat(kept).isBetween(250L, 350L);
    assertThat(stats.refused()).isEqualTo(1_000 - kept);
  }

  @Test
  void aHundredThousandStagesKeepAThousandAndCountTheRest() {
    StageStats stats = new StageStats();
    for (int i = 0; i < 100_000; i++) {
      stats.observe("stage-" + i, null, 1_000_000L, false);
    }
    assertThat(stats.drain()).hasSize(StageStats.MAX_KEYS);
    assertThat(stats.refused()).isEqualTo(100_000 - StageStats.MAX_KEYS);
    assertThat(stats.accountedBytes()).isLessThanOrEqualTo(StageStats.DEFAULT_MAX_BYTES);
  }

  @Test
  void quietKeysAreForgottenAndFreeTheirBytes() {
    StageStats stats = new StageStats();
    stats.observe("busy", null, 1_000_000L, false);
    stats.observe("gone", null, 1_000_000L, false);
    long both = stats.accountedBytes();
    stats.drain();
    for (int i = 0; i < StageStats.FORGET_AFTER_IDLE_INTERVALS; i++) {
      stats.observe("busy", null, 1_000_000L, false);
      assertThat(stats.drain()).extracting(StageStats.Stat::name).containsExactly("busy");
    }
    assertThat(stats.accountedBytes()).isEqualTo(both / 2);
    stats.observe("gone", null, 1_000_000L, false);
    assertThat(stats.drain()).as("back, as a new key").extracting(StageStats.Stat::name).containsExactly("gone");
    assertThat(stats.accountedBytes()).isEqualTo(both);
  }

  @Test
  void aStageAndAModelOfTheSameNameAreTwoKeysAndTheKeyBoundCountsBoth() {
    StageStats stats = new StageStats();
    stats.observe("ranker", "ranker", 1_000_000L, false);
    stats.observe("ranker", null, 3_000_000L, true);
    assertThat(stats.drain()).extracting(StageStats.Stat::kind, StageStats.Stat::name, StageStats.Stat::count)
        .containsExactlyInAnyOrder(tuple("stage", "ranker", 2L),
            tuple("model", "ranker", 1L));

    StageStats full = new StageStats();
    for (int i = 0; i < StageStats.MAX_KEYS / 2; i++) {
      full.observe("stage-" + i, "model-" + i, 1_000_000L, false);
    }
    full.observe("one-more", "and-another", 1_000_000L, false);
    assertThat(full.drain()).hasSize(StageStats.MAX_KEYS);
    assertThat(full.refused()).isEqualTo(2);
  }
}
