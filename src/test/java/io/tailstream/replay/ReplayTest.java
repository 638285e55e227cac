package io.tailstream.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailstream.decide.Decider;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.RulesParser;
import io.tailstream.workload.InferenceWorkload;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay of a generated workload whose answers are known from how it was generated. */
public class ReplayTest {
  static final String CORE = io.tailstream.testing.CoreRules.YAML;

  @TempDir
  Path dir;

  /** Writes 3,000 traces, 6 per record, split across two records each; returns them. */
  public static List<InferenceWorkload.Trace> writeDump(Path file, Encoding encoding) throws Exception {
    InferenceWorkload workload = new InferenceWorkload(21, 0.03, 0.03, 0.03);
    List<InferenceWorkload.Trace> traces = new ArrayList<>();
    OtlpCodec codec = OtlpCodec.of(encoding);
    try (DumpFile.Writer writer = new DumpFile.Writer(file)) {
      for (int batch = 0; batch < 500; batch++) {
        ExportTraceServiceRequest.Builder first = ExportTraceServiceRequest.newBuilder();
        ExportTraceServiceRequest.Builder second = ExportTraceServiceRequest.newBuilder();
        for (int i = 0; i < 6; i++) {
          InferenceWorkload.Trace t = workload.next();
          traces.add(t);
          for (int r = 0; r < t.resources().size(); r++) {
            (r % 2 == 0 ? first : second).addResourceSpans(t.resources().get(r));
          }
        }
        writer.write(codec.encode(first.build()));
        writer.write(codec.encode(second.build()));
      }
      writer.write("garbage".getBytes());
    }
    return traces;
  }

  static Map<String, Long> expectedKept(List<InferenceWorkload.Trace> traces) {
    Map<String, Long> expected = new java.util.TreeMap<>();
    long threshold = Decider.thresholdFor(0.01);
    for (InferenceWorkload.Trace t : traces) {
      String rule = switch (t.kind()) {
        case ERROR -> "errors";
        case SLOW -> "slow";
        case SLOW_MODEL -> "slow-model";
        case NORMAL -> TraceIds.randomness(t.traceId()) >= threshold ? "baseline" : null;
      };
      if (rule != null) {
        expected.merge(rule, 1L, Long::sum);
      }
    }
    return expected;
  }

  @Test
  void keepsWhatTheRulesSayOfEveryTrace() throws Exception {
    Path file = dir.resolve("spans.dump");
    List<InferenceWorkload.Trace> traces = writeDump(file, Encoding.OTLP_PROTO);
    long[] progress = new long[1];
    Replay.Result r = Replay.run(DumpFile.reader(file), OtlpCodec.of(Encoding.OTLP_PROTO),
        Decider.compile(RulesParser.parse(CORE, "core.yaml")), null, n -> progress[0] = n);
    assertThat(r.records()).isEqualTo(1001);
    assertThat(r.unreadable()).isEqualTo(1);
    assertThat(progress[0]).isEqualTo(1001);
    assertThat(r.traces()).isEqualTo(3000);
    assertThat(r.spans()).isEqualTo(traces.stream().mapToLong(InferenceWorkload.Trace::spanCount).sum());
    Map<String, Long> kept = new java.util.TreeMap<>();
    r.keptByRule().forEach((rule, stats) -> kept.put(rule, stats.traces()));
    assertThat(kept).isEqualTo(expectedKept(traces));
    assertThat(r.onlyNew()).isEmpty();
  }

  @Test
  void comparesTwoVersionsPerRule() throws Exception {
    Path file = dir.resolve("spans.dump");
    List<InferenceWorkload.Trace> traces = writeDump(file, Encoding.OTLP_JSON);
    String withoutBaseline = CORE.substring(0, CORE.indexOf("  - name: baseline")).stripTrailing() + "\n";
    Replay.Result r = Replay.run(DumpFile.reader(file), OtlpCodec.of(Encoding.OTLP_JSON),
        Decider.compile(RulesParser.parse(CORE, "new.yaml")),
        Decider.compile(RulesParser.parse(withoutBaseline, "old.yaml")), n -> { });
    assertThat(r.onlyNew()).isEqualTo(Map.of("baseline", expectedKept(traces).get("baseline")));
    assertThat(r.onlyOld()).isEmpty();
  }
}
