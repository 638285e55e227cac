package io.tailstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchReportTest {
  private static final BenchInput.Loaded BATCHED = new BenchInput.Loaded(1_000_000, 150_000, 15_000, 155_000_000);
  private static final BenchInput.Loaded KEYED = new BenchInput.Loaded(1_000_000, 150_000, 150_000, 340_000_000);
  private static final BenchReport.Expected EXPECTED = new BenchReport.Expected(150_000, 6_000,
      Map.of("errors", 3_000L, "big-batches", 3_000L));

  private static BrokerBytes.Written wrote(long input, long... perTopic) {
    Map<String, Long> byTopic = new java.util.TreeMap<>();
    for (int i = 0; i < perTopic.length; i++) {
      byTopic.put("topic-" + i, perTopic[i]);
    }
    return new BrokerBytes.Written(byTopic, input, "BytesInPerSec");
  }

  /** {@code memorySeconds}: the in-memory sampler's time on each input, the rest fixed. */
  private static BenchReport report(MemoryScenario.Result memory, double memorySeconds) {
    EndToEndBenchmark.Options options = new EndToEndBenchmark.Options(1_000_000, 0, 4, 1,
        memory == null ? 0 : 1_000_000, null, 7, Duration.ofSeconds(1), "none");
    InMemorySampler.Counts counts = new InMemorySampler.Counts(6_000, 144_000, 0, 0, 40_000,
        Map.of("errors", 3_000L, "big-batches", 2_000L, "baseline", 1_000L));
    List<RunFigures> runs = List.of(
        RunFigures.baseline("copy", BATCHED, new Probe.Sample(4.0, 20, 1)),
        RunFigures.baseline("copy-keyed", KEYED, new Probe.Sample(8.0, 40, 4)),
        RunFigures.baseline("store-floor-keyed", KEYED, new Probe.Sample(5.0, 25, 3)),
        RunFigures.tailstream("tailstream-repartition", BATCHED, new Probe.Sample(20.0, 50, 18),
            21.0, 90, 250, 200 << 20, 6_000, 144_000).withStoreBytes(94_000_000)
            .withBrokerWrites(wrote(100_000_000, 90_000_000, 120_000_000, 2_000_000)),
        RunFigures.tailstream("tailstream-keyed", KEYED, new Probe.Sample(10.0, 30, 15),
            11.0, 95, 240, 190 << 20, 6_000, 144_000).withStoreBytes(94_000_000)
            .withBrokerWrites(wrote(200_000_000, 230_000_000, 10_000_000)),
        RunFigures.inMemory("in-memory", BATCHED, new Probe.Sample(memorySeconds, 9, 4), memorySeconds + 5,
            counts),
        RunFigures.inMemory("in-memory-keyed", KEYED, new Probe.Sample(memorySeconds, 12, 6),
            memorySeconds + 5, counts));
    return new BenchReport(options, new BenchInput.Topics(BATCHED, KEYED), runs, memory, EXPECTED);
  }

  @Test
  void withSeveralRoundsEachAppShowsItsMedianRunAndEachRatioItsMedianOverTheRounds() {
    // The in-memory sampler at 200k, 100k and 50k spans/s (1M spans in 5, 10 and 20 s).
    BenchReport fast = report(null, 5.0);
    BenchReport slow = report(null, 10.0);
    BenchReport slower = report(null, 20.0);
    BenchReport three = new BenchReport(fast.options(), fast.input(),
        Rounds.of(List.of(fast.runs(), slower.runs(), slow.runs())), null, EXPECTED, List.of(), null);
    assertThat(three.run("in-memory").spansPerSecond()).as("the median run").isEqualTo(100_000);
    assertThat(three.ratioRepartitionVsMemory()).as("50k over 200k, 50k, 100k: median 0.5")
        .isEqualTo(0.5);
    JsonObject json = JsonParser.parseString(three.json()).getAsJsonObject();
    assertThat(json.get("rounds").getAsInt()).isEqualTo(3);
    assertThat(json.getAsJsonObject("ratios_per_round").getAsJsonArray("ratio_repartition_vs_memory"))
        .extracting(e -> e.getAsDouble()).containsExactly(0.25, 1.0, 0.5);
    assertThat(three.table()).contains("3 rounds", "round 2: 1.00");
    assertThat(JsonParser.parseString(fast.json()).getAsJsonObject().has("ratios_per_round")).isFalse();
  }

  @Test
  void ratiosCompareEachTailstreamRunWithTheCopyOfTheSameRecords() {
    BenchReport report = report(null, 5.0);
    assertThat(report.ratioRepartition()).isEqualTo(0.2); // 50k vs 250k spans/s
    assertThat(report.ratioKeyed()).isEqualTo(0.8); // 100k vs 125k spans/s
    assertThat(report.ratioKeyedToStoreFloor()).isEqualTo(0.5); // 100k vs 200k spans/s
  }

  @Test
  void memoryRatiosCompareEachTailstreamRunWithTheInMemorySamplerOnTheSameRecords() {
    BenchReport fast = report(null, 5.0); // the sampler at 200k spans/s on both inputs
    assertThat(fast.ratioRepartitionVsMemory()).isEqualTo(0.25); // 50k vs 200k
    assertThat(fast.ratioKeyedVsMemory()).isEqualTo(0.5); // 100k vs 200k
    BenchReport slow = report(null, 20.0); // the same tailstream figures against a slower sampler
    assertThat(slow.ratioRepartitionVsMemory()).isEqualTo(1.0);
    assertThat(slow.ratioKeyedVsMemory()).isEqualTo(2.0);
  }

  @Test
  void brokerBytesPerInputByteSumEveryTopicTheRoundWrote() {
    BenchReport report = report(null, 5.0);
    assertThat(report.run("tailstream-repartition").brokerBytesPerInputByte()).isEqualTo(2.12);
    assertThat(report.run("tailstream-keyed").brokerBytesPerInputByte()).isEqualTo(1.2);
    assertThat(report.run("copy").brokerBytesPerInputByte()).isNaN(); // not measured here
  }

  @Test
  void jsonHasTheHeadlineRatiosAndEveryRun() {
    MemoryScenario.Result memory = new MemoryScenario.Result(List.of(
        new MemoryScenario.Point(100_000, 210L << 20, 20L << 20, 30L << 20),
        new MemoryScenario.Point(1_000_000, 240L << 20, 200L << 20, 300L << 20)),
        2_000_000, 330_000_000, 190_000_000);
    BenchReport report = report(memory, 8.0);
    JsonObject json = JsonParser.parseString(report.json()).getAsJsonObject();
    assertThat(json.get("ratio_repartition").getAsDouble()).isEqualTo(0.2);
    assertThat(json.get("ratio_keyed").getAsDouble()).isEqualTo(0.8);
    assertThat(json.get("ratio_repartition_vs_memory").getAsDouble())
        .isEqualTo(report.ratioRepartitionVsMemory()).isEqualTo(0.4); // 50k vs 125k
    assertThat(json.get("ratio_keyed_vs_memory").getAsDouble())
        .isEqualTo(report.ratioKeyedVsMemory()).isEqualTo(0.8); // 100k vs 125k
    assertThat(json.get("broker_bytes_per_input_byte_keyed").getAsDouble()).isEqualTo(1.2);
    assertThat(json.get("broker_bytes_per_input_byte_repartition").getAsDouble()).isEqualTo(2.12);
    assertThat(json.get("broker_bytes_source").getAsString()).isEqualTo("BytesInPerSec");
    assertThat(json.get("replay_kept").getAsLong()).isEqualTo(6_000);
    assertThat(json.getAsJsonArray("runs")).hasSize(7);
    JsonObject keyed = json.getAsJsonArray("runs").get(4).getAsJsonObject();
    assertThat(keyed.get("name").getAsString()).isEqualTo("tailstream-keyed");
    assertThat(keyed.get("spans_per_second").getAsDouble()).isEqualTo(100_000);
    assertThat(keyed.get("process_cpu_seconds_per_million_spans").getAsDouble()).isEqualTo(30);
    assertThat(keyed.get("store_bytes_per_span").getAsDouble()).isEqualTo(94);
    assertThat(keyed.get("broker_bytes_written").getAsLong()).isEqualTo(240_000_000);
    assertThat(keyed.getAsJsonObject("broker_bytes_by_topic").get("topic-1").getAsLong()).isEqualTo(10_000_000);
    JsonObject inMemory = json.getAsJsonArray("runs").get(5).getAsJsonObject();
    assertThat(inMemory.get("name").getAsString()).isEqualTo("in-memory");
    assertThat(inMemory.get("kept").getAsLong()).isEqualTo(6_000);
    assertThat(inMemory.getAsJsonObject("kept_by_rule").get("big-batches").getAsLong()).isEqualTo(2_000);
    assertThat(inMemory.has("store_bytes_per_span")).isFalse();
    assertThat(json.getAsJsonArray("memory")).hasSize(2);
    assertThat(json.get("memory_store_bytes_per_span").getAsDouble()).isEqualTo(95);
  }

  @Test
  void tableNamesEveryRunTheNewRatiosAndTheMemoryPoints() {
    String table = report(new MemoryScenario.Result(List.of(
        new MemoryScenario.Point(1_000_000, 240L << 20, 200L << 20, 300L << 20)), 2, 2, 2), 5.0).table();
    assertThat(table).contains("copy-keyed", "store-floor-keyed", "tailstream-repartition", "tailstream-keyed",
        "in-memory ", "in-memory-keyed",
        "ratio_repartition (b/a) 0.20", "ratio_keyed (c/a) 0.80", "1,000,000", "240 MiB",
        "ratio_repartition_vs_memory 0.25", "ratio_keyed_vs_memory 0.50",
        "broker bytes written per input byte: keyed 1.20, repartition 2.12",
        "6,000 of 150,000 traces kept");
  }

  @Test
  void rebuildRoundsReportSecondsPerGigabyteReadAgain() {
    BenchReport plain = report(null, 5.0);
    BenchReport report = new BenchReport(plain.options(), plain.input(), plain.runs(), null, EXPECTED, List.of(
        new RebuildRound.Result("rebuild-repartition", 150_000, 300_000_000, 150_000, 4, 160_000,
            500_000_000, 2.0, 6.5),
        new RebuildRound.Result("rebuild-keyed", 150_000, 300_000_000, 150_000, 4, 150_000,
            250_000_000, 2.0, 5.0)), null);
    JsonObject json = JsonParser.parseString(report.json()).getAsJsonObject();
    assertThat(json.get("reread_seconds_per_gb").getAsDouble()).isEqualTo(4.0); // 2 s for 0.5 GB
    assertThat(json.get("reread_seconds_per_gb_keyed").getAsDouble()).isEqualTo(8.0);
    JsonObject keyed = json.getAsJsonArray("rebuilds").get(1).getAsJsonObject();
    assertThat(keyed.get("reread_records").getAsLong()).isEqualTo(150_000);
    assertThat(keyed.get("reread_bytes").getAsLong()).isEqualTo(250_000_000);
    assertThat(keyed.get("recovery_seconds").getAsDouble()).isEqualTo(5.0);
    assertThat(report.table()).contains("rebuild-repartition: 150,000 traces (300.0 MB) buffered",
        "re-read 160,000 records (500.0 MB) in 2.00 s = 4.0 s/GB, every task (4) rebuilt 6.50 s after its start");
    assertThat(plain.json()).doesNotContain("reread_seconds_per_gb");
  }

  @Test
  void theLiveRoundReportsItsLatenessApartFromTheDrainRounds() {
    BenchReport plain = report(null, 5.0);
    BenchReport report = new BenchReport(plain.options(), plain.input(), plain.runs(), null, EXPECTED, List.of(),
        new LiveRound.Result(40_000, 21.5, 120, 380));
    JsonObject json = JsonParser.parseString(report.json()).getAsJsonObject();
    assertThat(json.get("live_decision_lateness_p50_ms").getAsDouble()).isEqualTo(120);
    assertThat(json.get("live_decision_lateness_p99_ms").getAsDouble()).isEqualTo(380);
    assertThat(json.get("live_traces").getAsLong()).isEqualTo(40_000);
    assertThat(report.table()).contains("live: 40,000 traces decided over 21.5 s", "p50 120 ms, p99 380 ms");
    assertThat(plain.json()).doesNotContain("live_decision_lateness");
  }

  @Test
  void tableNamesTheRulesWhoseKeptCountDiffersFromTheReplay() {
    String table = report(null, 5.0).table();
    // errors: 3,000 in both; big-batches 2,000 vs 3,000; baseline 1,000 vs none.
    assertThat(table).contains("in-memory: all 150,000 traces decided 10.0 s after start (kept 6,000,"
        + " dropped 144,000); rules that keep another number than the replay")
        .contains("{baseline=1000 vs 0, big-batches=2000 vs 3000}");
  }
}
