package io.tailstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchReportTest {
  private static final BenchInput.Loaded BATCHED = new BenchInput.Loaded(1_000_000, 150_000, 15_000, 155_000_000);
  private static final BenchInput.Loaded KEYED = new BenchInput.Loaded(1_000_000, 150_000, 150_000, 340_000_000);

  private static BenchReport report(MemoryScenario.Result memory) {
    EndToEndBenchmark.Options options = new EndToEndBenchmark.Options(1_000_000, 0, 4, 1,
        memory == null ? 0 : 1_000_000, null, 7, Duration.ofSeconds(1), "none");
    List<RunFigures> runs = List.of(
        RunFigures.baseline("copy", BATCHED, new Probe.Sample(4.0, 20, 1)),
        RunFigures.baseline("copy-keyed", KEYED, new Probe.Sample(8.0, 40, 4)),
        RunFigures.baseline("store-floor-keyed", KEYED, new Probe.Sample(5.0, 25, 3)),
        RunFigures.tailstream("tailstream-repartition", BATCHED, new Probe.Sample(20.0, 50, 18),
            21.0, 90, 250, 200 << 20, 6_000, 144_000).withStoreBytes(94_000_000),
        RunFigures.tailstream("tailstream-keyed", KEYED, new Probe.Sample(10.0, 30, 15),
            11.0, 95, 240, 190 << 20, 6_000, 144_000).withStoreBytes(94_000_000));
    return new BenchReport(options, new BenchInput.Topics(BATCHED, KEYED), runs, memory);
  }

  @Test
  void ratiosCompareEachTailstreamRunWithTheCopyOfTheSameRecords() {
    BenchReport report = report(null);
    assertThat(report.ratioRepartition()).isEqualTo(0.2); // 50k vs 250k spans/s
    assertThat(report.ratioKeyed()).isEqualTo(0.8); // 100k vs 125k spans/s
    assertThat(report.ratioKeyedToStoreFloor()).isEqualTo(0.5); // 100k vs 200k spans/s
  }

  @Test
  void jsonHasTheHeadlineRatiosAndEveryRun() {
    MemoryScenario.Result memory = new MemoryScenario.Result(List.of(
        new MemoryScenario.Point(100_000, 210L << 20, 20L << 20, 30L << 20),
        new MemoryScenario.Point(1_000_000, 240L << 20, 200L << 20, 300L << 20)),
        2_000_000, 330_000_000, 190_000_000);
    JsonObject json = JsonParser.parseString(report(memory).json()).getAsJsonObject();
    assertThat(json.get("ratio_repartition").getAsDouble()).isEqualTo(0.2);
    assertThat(json.get("ratio_keyed").getAsDouble()).isEqualTo(0.8);
    assertThat(json.getAsJsonArray("runs")).hasSize(5);
    JsonObject keyed = json.getAsJsonArray("runs").get(4).getAsJsonObject();
    assertThat(keyed.get("name").getAsString()).isEqualTo("tailstream-keyed");
    assertThat(keyed.get("spans_per_second").getAsDouble()).isEqualTo(100_000);
    assertThat(keyed.get("process_cpu_seconds_per_million_spans").getAsDouble()).isEqualTo(30);
    assertThat(keyed.get("store_bytes_per_span").getAsDouble()).isEqualTo(94);
    assertThat(json.getAsJsonArray("memory")).hasSize(2);
    assertThat(json.get("memory_store_bytes_per_span").getAsDouble()).isEqualTo(95);
  }

  @Test
  void tableNamesEveryRunAndTheMemoryPoints() {
    String table = report(new MemoryScenario.Result(List.of(
        new MemoryScenario.Point(1_000_000, 240L << 20, 200L << 20, 300L << 20)), 2, 2, 2)).table();
    assertThat(table).contains("copy-keyed", "store-floor-keyed", "tailstream-repartition", "tailstream-keyed",
        "ratio_repartition (b/a) 0.20", "ratio_keyed (c/a) 0.80", "1,000,000", "240 MiB");
  }
}
