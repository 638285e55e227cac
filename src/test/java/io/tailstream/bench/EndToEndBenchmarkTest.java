package io.tailstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench end to end on the in-JVM broker, small: every scenario runs and accounts for every span. */
class EndToEndBenchmarkTest {
  /** Rules of the bench's example that depend only on the trace, tried before any that does not. */
  private static final List<String> TRACE_ONLY_RULES = List.of("errors", "slow-requests",
      "slow-feature-retrieval", "slow-preprocessing", "slow-ensemble");

  @TempDir
  Path work;

  @Test
  void everyScenarioProcessesTheWholeWorkloadAndTheReportComparesTheMeasuredFigures() throws Exception {
    BenchReport report = EndToEndBenchmark.run(new EndToEndBenchmark.Options(5_000, 0, 2, 1,
        3_000, null, 11, Duration.ofSeconds(1), "lz4", true, Duration.ofSeconds(3), 1, null, false), work);
    BenchInput.Loaded batched = report.input().batched();
    assertThat(batched.spans()).isGreaterThanOrEqualTo(5_000);
    assertThat(report.input().keyed().spans()).isEqualTo(batched.spans());
    assertThat(report.input().keyed().records()).isEqualTo(batched.traces());
    assertThat(report.runs()).extracting(RunFigures::name)
        .containsExactly("copy", "copy-keyed", "store-floor-keyed", "tailstream-repartition",
            "tailstream-keyed", "in-memory", "in-memory-keyed");
    for (RunFigures run : report.runs()) {
      assertThat(run.seconds()).isPositive();
      assertThat(run.processCpuSeconds()).isPositive();
      assertThat(run.brokerWrites().inputBytes()).as(run.name()).isPositive();
      if (!run.isBaseline()) {
        assertThat(run.kept() + run.dropped()).as(run.name()).isEqualTo(batched.traces());
      }
      if (run.hasStore()) {
        // Everything fits memory.heap-buffer here and is decided before the close: nothing on disk.
        assertThat(run.storeBytes()).as(run.name()).isZero();
        assertThat(run.latenessP99Ms()).isLessThan(60_000);
      }
    }
    // Live traffic at 2,000 traces/s for 3 s, all decided; lateness on a clock that follows the
    // wall clock is bounded by the watermark interval and a loaded machine, not by seconds of backlog.
    assertThat(report.live().traces()).isGreaterThan(3_000);
    assertThat(report.live().latenessP99Ms()).isLessThan(5_000);
    assertThat(report.memory().points()).extracting(MemoryScenario.Point::traces)
        .containsExactly(300L, 1_500L, 3_000L);
    assertThat(report.memory().storeBytesAfterClose()).isPositive();
    assertThat(report.ratioRepartition()).isPositive();
    assertThat(report.json()).contains("\"ratio_keyed\"");

    BenchReport.Expected expected = report.expected();
    assertThat(expected.traces()).isEqualTo(report.input().batched().traces());
    for (String name : List.of("in-memory", "in-memory-keyed")) {
      RunFigures sampler = report.run(name);
      assertThat(sampler.kept()).as(name).isPositive();
      for (String rule : TRACE_ONLY_RULES) {
        assertThat(sampler.keptByRule().getOrDefault(rule, 0L)).as(name + " " + rule)
            .isEqualTo(expected.keptByRule().getOrDefault(rule, 0L));
      }
      // It writes the kept traces and nothing else: far less than its input.
      assertThat(sampler.brokerBytesPerInputByte()).as(name).isPositive().isLessThan(0.5);
    }
    assertThat(TRACE_ONLY_RULES.stream().mapToLong(r -> expected.keptByRule().getOrDefault(r, 0L)).sum())
        .as("the workload has traces the trace-only rules keep").isPositive();

    // A new instance re-reads what the stopped one buffered (all of it: nothing was due) and
    // buffers every trace again; with null keys its log is the by-trace topic.
    assertThat(report.rebuilds()).extracting(RebuildRound.Result::name)
        .containsExactly("rebuild-repartition", "rebuild-keyed");
    for (RebuildRound.Result r : report.rebuilds()) {
      assertThat(r.bufferedTraces()).as(r.name()).isEqualTo(batched.traces());
      assertThat(r.rebuiltTraces()).as(r.name()).isEqualTo(r.bufferedTraces());
      assertThat(r.rebuilds()).as(r.name()).isEqualTo(2);
      assertThat(r.records()).as(r.name()).isPositive();
      assertThat(r.bytes()).as(r.name()).isPositive();
      assertThat(r.secondsPerGigabyte()).as(r.name()).isPositive();
    }
    assertThat(report.rebuild("rebuild-keyed").records()).as("one input record per trace")
        .isEqualTo(report.input().keyed().records());

    JsonObject json = JsonParser.parseString(report.json()).getAsJsonObject();
    assertThat(json.get("reread_seconds_per_gb").getAsDouble())
        .isEqualTo(report.rebuild("rebuild-repartition").secondsPerGigabyte());
    assertThat(json.get("ratio_keyed_vs_memory").getAsDouble()).isEqualTo(
        report.run("tailstream-keyed").spansPerSecond() / report.run("in-memory-keyed").spansPerSecond());
    assertThat(json.get("ratio_repartition_vs_memory").getAsDouble()).isEqualTo(
        report.run("tailstream-repartition").spansPerSecond() / report.run("in-memory").spansPerSecond());
    RunFigures keyed = report.run("tailstream-keyed");
    RunFigures repartition = report.run("tailstream-repartition");
    assertThat(json.get("broker_bytes_per_input_byte_keyed").getAsDouble())
        .isEqualTo((double) keyed.brokerWrites().total() / keyed.brokerWrites().inputBytes());
    assertThat(json.get("broker_bytes_per_input_byte_repartition").getAsDouble())
        .isEqualTo((double) repartition.brokerWrites().total() / repartition.brokerWrites().inputBytes());
    // The copy writes its input once more: both figures are the broker's, in the same unit (not
    // 2x or 0.5x). Its producer's 16 KiB LZ4 batches compress a little worse than the input's
    // 1 MiB ones: 1.04-1.25 measured, so the bound leaves room on both sides.
    assertThat(report.run("copy").brokerBytesPerInputByte()).isBetween(0.7, 1.5);
    assertThat(repartition.brokerWrites().byTopic().keySet()).anyMatch(t -> t.startsWith("ts-b-"));
  }
}
