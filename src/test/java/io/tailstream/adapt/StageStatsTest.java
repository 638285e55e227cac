package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;
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
}
