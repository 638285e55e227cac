package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.decide.Decider;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.TraceIds;
import io.tailstream.testing.Spans;
import io.tailstream.topology.DecisionAttributes;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The done-when: with {@code output.decision-attributes: root}, kept traces read back
 * from the output topic of a real broker carry the decision on their root span, and only there,
 * saying what the record's headers say, with the adjusted count of the rule that kept them.
 * Traces are spread over several records with children before roots, as collectors send them.
 */
class DecisionAttributesIntegrationTest {
  private static final int TRACES = 400;
  private static EmbeddedKafkaBroker broker;

  @TempDir
  Path dir;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void keptSpansReadBackCarryTheDecisionOnTheirRootSpan() throws Exception {
    Path config = KafkaTestSupport.writeConfig(dir, broker.bootstrapServers(), "it-attrs",
        "{ wait: 10s, after-root: 3s, idle: 3s, check-interval: 200ms }",
        "output: { decision-attributes: root }");
    InferenceWorkload workload = new InferenceWorkload(17, 0.04, 0.03, 0.03);
    List<InferenceWorkload.Trace> traces = new ArrayList<>();
    Map<String, String> expectedRule = new HashMap<>();
    long baseline = Decider.thresholdFor(0.01);
    for (int i = 0; i < TRACES; i++) {
      InferenceWorkload.Trace t = workload.next();
      traces.add(t);
      String rule = switch (t.kind()) {
        case ERROR -> "errors";
        case SLOW -> "slow";
        case SLOW_MODEL -> "slow-model";
        case NORMAL -> TraceIds.randomness(t.traceId()) >= baseline ? "baseline" : null;
      };
      if (rule != null) {
        expectedRule.put(TraceIds.hex(t.traceId()), rule);
      }
    }

    try (TailstreamApp app = TailstreamApp.create(ConfigLoader.load(config, Map.of()))) {
      app.start();
      List<byte[]> values = new ArrayList<>();
      for (ExportTraceServiceRequest r : KafkaTestSupport.batches(traces, 7, new Random(5))) {
        values.add(r.toByteArray());
      }
      KafkaTestSupport.produce(broker.bootstrapServers(), "it-attrs-in", values);
      List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
          "it-attrs-out", records -> traceIds(records).containsAll(expectedRule.keySet()),
          Duration.ofSeconds(2), Duration.ofSeconds(120));

      Map<String, List<Span>> carriers = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : out) {
        String trace = new String(r.key(), StandardCharsets.UTF_8);
        for (Span s : Spans.allSpans(ExportTraceServiceRequest.parseFrom(r.value()))) {
          Map<String, AnyValue> attributes = decisionAttributes(s);
          if (attributes.isEmpty()) {
            continue;
          }
          carriers.computeIfAbsent(trace, k -> new ArrayList<>()).add(s);
          assertThat(s.getParentSpanId().isEmpty()).as("carrier of %s is its root", trace).isTrue();
          assertThat(attributes.get(DecisionAttributes.RULE).getStringValue())
              .isEqualTo(header(r, Headers.RULE)).isEqualTo(expectedRule.get(trace));
          assertThat(attributes.get(DecisionAttributes.RULES_VERSION).getStringValue())
              .isEqualTo(header(r, Headers.RULES_VERSION));
          assertThat(Long.toString(attributes.get(DecisionAttributes.DECISION_DELAY_MS).getIntValue()))
              .isEqualTo(header(r, Headers.DECISION_DELAY_MS));
          // errors, slow and slow-model keep all they match; the baseline keeps 1%.
          double count = expectedRule.get(trace).equals("baseline") ? 100 : 1;
          assertThat(attributes.get(DecisionAttributes.ADJUSTED_COUNT).getDoubleValue())
              .as("adjusted count of %s", trace).isCloseTo(count, within(0.001));
        }
      }
      assertThat(carriers.keySet()).as("every kept trace, and no other").isEqualTo(expectedRule.keySet());
      assertThat(carriers.values()).as("one carrier per trace").allSatisfy(c -> assertThat(c).hasSize(1));
      assertThat(expectedRule.values()).as("the workload exercises both counts")
          .contains("baseline", "errors");
    }
  }

  private static Map<String, AnyValue> decisionAttributes(Span span) {
    Map<String, AnyValue> out = new HashMap<>();
    for (KeyValue kv : span.getAttributesList()) {
      if (DecisionAttributes.NAMES.contains(kv.getKey())) {
        out.put(kv.getKey(), kv.getValue());
      }
    }
    return out;
  }

  private static String header(ConsumerRecord<?, ?> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private static Set<String> traceIds(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> ids = new HashSet<>();
    records.forEach(r -> ids.add(new String(r.key(), StandardCharsets.UTF_8)));
    return ids;
  }
}
