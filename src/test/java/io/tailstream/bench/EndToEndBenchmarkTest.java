package io.tailstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench end to end on the in-JVM broker, small: every scenario runs and accounts for every span. */
class EndToEndBenchmarkTest {
  @TempDir
  Path work;

  @Test
  void everyScenarioProcessesTheWholeWorkloadAndTheMemoryScenarioHoldsEveryTrace() throws Exception {
    BenchReport report = EndToEndBenchmark.run(new EndToEndBenchmark.Options(5_000, 0, 2, 1,
        3_000, null, 11, Duration.ofSeconds(1), "lz4"), work);
    BenchInput.Loaded batched = report.input().batched();
    assertThat(batched.spans()).isGreaterThanOrEqualTo(5_000);
    assertThat(report.input().keyed().spans()).isEqualTo(batched.spans());
    assertThat(report.input().keyed().records()).isEqualTo(batched.traces());
    assertThat(report.runs()).extracting(RunFigures::name)
        .containsExactly("copy", "copy-keyed", "store-floor-keyed", "tailstream-repartition",
            "tailstream-keyed");
    for (RunFigures run : report.runs()) {
      assertThat(run.seconds()).isPositive();
      assertThat(run.processCpuSeconds()).isPositive();
      if (!run.isBaseline()) {
        assertThat(run.kept() + run.dropped()).isEqualTo(batched.traces());
        assertThat(run.storeBytes()).isPositive();
        assertThat(run.latenessP99Ms()).isLessThan(60_000);
      }
    }
    assertThat(report.memory().points()).extracting(MemoryScenario.Point::traces)
        .containsExactly(300L, 1_500L, 3_000L);
    assertThat(report.memory().storeBytesAfterClose()).isPositive();
    assertThat(report.ratioRepartition()).isPositive();
    assertThat(report.json()).contains("\"ratio_keyed\"");
  }
}
