package io.tailstream.topology;

import static io.tailstream.testing.Spans.attr;
import static io.tailstream.testing.Spans.error;
import static io.tailstream.testing.Spans.request;
import static io.tailstream.testing.Spans.resource;
import static io.tailstream.testing.Spans.span;
import static io.tailstream.testing.Spans.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.adapt.StressGate;
import io.tailstream.buffer.TraceSummary;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.RulesParser;
import io.tailstream.testing.Spans;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stress relief: past the buffered-bytes budget's high watermark, new traces are decided at once
 * (errors kept, the rest by randomness, marked {@code tailstream.stressed}); buffered traces are
 * still decided normally; below the low watermark buffering resumes.
 */
class StressReliefTest {
  @TempDir
  Path stateDir;

  @Test
  void decidesNewTracesAtOnceAboveTheBudgetAndResumesBelowIt() {
    TailstreamConfig config = ConfigLoader.parse("""
        kafka: { bootstrap-servers: unused:1 }
        decision: { wait: 30s, after-root: 5s, idle: 10s }
        stress: { max-buffered-bytes: 64KiB, high-watermark: 90%, low-watermark: 50%, heap-high-watermark: 100%, sample: 50% }
        """, "t.yaml", Path.of("."), Map.of());
    TailstreamMetrics metrics = new TailstreamMetrics();
    ActiveRules rules = new ActiveRules(Decider.compile(RulesParser.parse(
        "rules:\n  - name: everything\n    sample: 100%\n", "r.yaml")));
    Properties props = new Properties();
    props.put("application.id", "stress");
    props.put("bootstrap.servers", "unused:1");
    props.put("state.dir", stateDir.toString());
    OtlpCodec codec = OtlpCodec.of(config.encoding());
    try (TopologyTestDriver driver = new TopologyTestDriver(TailstreamTopology.build(config, rules, metrics),
        props, Instant.parse("2026-11-25T00:00:00Z"))) {
      TestInputTopic<byte[], byte[]> in = driver.createInputTopic("otlp_spans", new ByteArraySerializer(),
          new ByteArraySerializer());
      var out = driver.createOutputTopic("sampled_traces", new StringDeserializer(), new ByteArrayDeserializer());
      byte[] big = traceId(1);
      in.pipeInput(null, codec.encode(request(resource("svc", "s",
          span(big, 2, 1, "child", 0, 5).addAttributes(attr("blob", "x".repeat(62_000)))))));
      assertThat(metrics.bufferedBytes()).isGreaterThan(60_000);

      // Over 90% of 64 KiB: new traces are decided at once.
      byte[] failing = traceId(2);
      byte[] lucky = Spans.traceIdWithRandomness((long) (0.9 * (1L << 56)));
      byte[] unlucky = Spans.traceIdWithRandomness((long) (0.1 * (1L << 56)));
      in.pipeInput(null, codec.encode(request(resource("svc", "s", error(span(failing, 2, 1, "e", 0, 1))))));
      in.pipeInput(null, codec.encode(request(resource("svc", "s", span(lucky, 2, 1, "l", 0, 1)))));
      in.pipeInput(null, codec.encode(request(resource("svc", "s", span(unlucky, 2, 1, "u", 0, 1)))));
      List<TestRecord<String, byte[]>> atOnce = out.readRecordsToList();
      assertThat(atOnce).extracting(TestRecord::key).containsExactly(TraceIds.hex(failing), TraceIds.hex(lucky));
      assertThat(atOnce).allSatisfy(r -> assertThat(new String(r.headers().lastHeader(Headers.STRESSED).value(),
          StandardCharsets.UTF_8)).isEqualTo("true"));
      assertThat(new String(atOnce.get(0).headers().lastHeader(Headers.RULE).value(), StandardCharsets.UTF_8))
          .isEqualTo(Decider.STRESS_ERRORS);
      assertThat(metrics.decisions(TraceSummary.Trigger.STRESS)).isEqualTo(3);
      assertThat(metrics.registry().get("tailstream.stress.active").gauge().value()).isEqualTo(1.0);
      // A later span of a stressed trace follows its decision.
      in.pipeInput(null, codec.encode(request(resource("svc", "s", span(lucky, 3, 1, "late", 2, 1)))));
      assertThat(out.readRecordsToList()).hasSize(1);

      // The buffered big trace is decided as usual; the budget empties; buffering resumes.
      driver.advanceWallClockTime(Duration.ofSeconds(11));
      assertThat(out.readRecordsToList()).extracting(TestRecord::key).containsExactly(TraceIds.hex(big));
      assertThat(metrics.bufferedBytes()).isZero();
      driver.advanceWallClockTime(Duration.ofSeconds(1));
      assertThat(metrics.registry().get("tailstream.stress.active").gauge().value())
          .as("relief ends once the budget drains").isEqualTo(0.0);
      in.pipeInput(null, codec.encode(request(resource("svc", "s", span(unlucky, 9, 1, "again", 0, 1)))));
      assertThat(out.isEmpty()).as("late span of a dropped trace").isTrue();
      byte[] calm = traceId(7);
      in.pipeInput(null, codec.encode(request(resource("svc", "s", span(calm, 2, 1, "c", 0, 1)))));
      assertThat(out.isEmpty()).as("buffered again, not decided at once").isTrue();
      assertThat(metrics.bufferedTraces()).isEqualTo(1);
    }
  }

  @Test
  void gateHasHysteresisAndWatchesTheHeap() {
    double[] heap = {0.5};
    StressGate gate = new StressGate(1000, 0.9, 0.5, 0.85, () -> heap[0]);
    assertThat(gate.stressed(899)).isFalse();
    assertThat(gate.stressed(900)).isTrue();
    assertThat(gate.stressed(600)).as("still above the low watermark").isTrue();
    assertThat(gate.stressed(499)).isFalse();
    heap[0] = 0.9;
    assertThat(gate.stressed(0)).as("heap above its watermark").isTrue();
    heap[0] = 0.8;
    assertThat(gate.stressed(0)).as("heap not yet 10 points below").isTrue();
    heap[0] = 0.7;
    assertThat(gate.stressed(0)).isFalse();
  }
}
