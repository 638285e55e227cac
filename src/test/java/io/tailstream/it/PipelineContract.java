package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.decide.Decider;
import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TraceIds;
import io.tailstream.topology.Headers;
import io.tailstream.workload.InferenceWorkload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core promise on a real broker, through the same code path as {@code run}: every error,
 * slow and slow-model trace comes out whole, the 1% baseline keeps exactly the traces whose
 * randomness passes the threshold, no span comes out twice, and garbage lands in the DLQ.
 * Subclasses say which broker: the in-JVM one ({@link PipelineIntegrationTest}) or a container.
 */
abstract class PipelineContract {
  private static final int TRACES = 2_000;

  @TempDir
  Path dir;

  /** The broker the test runs against, started by the subclass. */
  abstract String bootstrapServers();

  @Test
  void keepsEveryInterestingTraceWholeAndABaselineOfTheRest() throws Exception {
    Path config = KafkaTestSupport.writeConfig(dir, bootstrapServers(), "it-pipeline",
        "{ wait: 10s, after-root: 5s, idle: 5s, check-interval: 200ms }", "");
    InferenceWorkload workload = new InferenceWorkload(11, 0.04, 0.03, 0.03);
    List<InferenceWorkload.Trace> traces = new ArrayList<>();
    for (int i = 0; i < TRACES; i++) {
      traces.add(workload.next());
    }
    Map<String, InferenceWorkload.Trace> byId = new HashMap<>();
    traces.forEach(t -> byId.put(TraceIds.hex(t.traceId()), t));

    // What must come out: every non-normal trace, and normal traces whose randomness passes 1%.
    long baselineThreshold = Decider.thresholdFor(0.01);
    Map<String, String> expectedRule = new HashMap<>();
    int normal = 0;
    for (InferenceWorkload.Trace t : traces) {
      String id = TraceIds.hex(t.traceId());
      switch (t.kind()) {
        case ERROR -> expectedRule.put(id, "errors");
        case SLOW -> expectedRule.put(id, "slow");
        case SLOW_MODEL -> expectedRule.put(id, "slow-model");
        case NORMAL -> {
          normal++;
          if (TraceIds.randomness(t.traceId()) >= baselineThreshold) {
            expectedRule.put(id, "baseline");
          }
        }
      }
    }

    try (TailstreamApp app = TailstreamApp.create(ConfigLoader.load(config, Map.of()))) {
      app.start();
      List<byte[]> values = new ArrayList<>();
      for (ExportTraceServiceRequest r : KafkaTestSupport.batches(traces, 7, new Random(3))) {
        values.add(r.toByteArray());
      }
      List<byte[]> garbage = List.of("not protobuf at all".getBytes(StandardCharsets.UTF_8),
          "{\"resourceSpans\":[]}".getBytes(StandardCharsets.UTF_8),
          java.util.Arrays.copyOf(values.get(0), values.get(0).length / 2));
      values.add(values.size() / 2, garbage.get(0));
      values.add(values.size() / 3, garbage.get(1));
      values.add(garbage.get(2));
      KafkaTestSupport.produce(bootstrapServers(), "it-pipeline-in", values);

      List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(bootstrapServers(),
          "it-pipeline-out", records -> tracesIn(records).containsAll(expectedRule.keySet()),
          Duration.ofSeconds(3), Duration.ofSeconds(120));
      assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);

      Map<String, Set<String>> spansByTrace = new HashMap<>();
      Map<String, String> ruleByTrace = new HashMap<>();
      List<String> duplicateSpans = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : out) {
        String traceId = new String(r.key(), StandardCharsets.UTF_8);
        ruleByTrace.put(traceId, new String(r.headers().lastHeader(Headers.RULE).value(), StandardCharsets.UTF_8));
        for (Span s : io.tailstream.testing.Spans.allSpans(ExportTraceServiceRequest.parseFrom(r.value()))) {
          assertThat(TraceIds.hex(s.getTraceId())).isEqualTo(traceId);
          if (!spansByTrace.computeIfAbsent(traceId, k -> new HashSet<>()).add(TraceIds.hex(s.getSpanId()))) {
            duplicateSpans.add(traceId + "/" + TraceIds.hex(s.getSpanId()));
          }
          if (ruleByTrace.get(traceId).equals("baseline")) {
            assertThat(OtelTraceState.threshold(s.getTraceState())).isEqualTo(baselineThreshold);
          }
        }
      }
      assertThat(duplicateSpans).as("spans emitted twice").isEmpty();
      assertThat(ruleByTrace).isEqualTo(expectedRule);
      for (String id : expectedRule.keySet()) {
        InferenceWorkload.Trace t = byId.get(id);
        Set<String> expectedSpans = new HashSet<>();
        t.spans().forEach(s -> expectedSpans.add(TraceIds.hex(s.getSpanId())));
        assertThat(spansByTrace.get(id)).as("spans of %s trace %s", t.kind(), id).isEqualTo(expectedSpans);
      }

      // The 1% baseline: the kept fraction of normal traces, within 3 binomial standard deviations.
      long baselineKept = expectedRule.values().stream().filter("baseline"::equals).count();
      double sd = Math.sqrt(normal * 0.01 * 0.99);
      assertThat((double) baselineKept).isBetween(normal * 0.01 - 3 * sd, normal * 0.01 + 3 * sd);

      List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.consume(bootstrapServers(),
          "it-pipeline-dlq", records -> records.size() >= 3, Duration.ofSeconds(1), Duration.ofSeconds(30));
      assertThat(dead).hasSize(3);
      assertThat(dead).allSatisfy(r -> assertThat(r.headers().lastHeader(Headers.ERROR)).isNotNull());
      assertThat(dead.stream().map(ConsumerRecord::value).toList())
          .usingElementComparator(java.util.Arrays::compare)
          .containsExactlyInAnyOrderElementsOf(garbage);
      assertThat(app.metrics().deadLetterRecords()).isEqualTo(3);
      assertThat(app.metrics().spansIn()).isEqualTo(traces.stream().mapToLong(InferenceWorkload.Trace::spanCount).sum());
    }
  }

  private static Set<String> tracesIn(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> ids = new HashSet<>();
    records.forEach(r -> ids.add(new String(r.key(), StandardCharsets.UTF_8)));
    return ids;
  }
}
