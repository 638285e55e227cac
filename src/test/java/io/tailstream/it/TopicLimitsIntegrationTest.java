package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.TraceIds;
import io.tailstream.testing.Spans;
import io.tailstream.workload.InferenceWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output topic that accepts less than {@code output.max-record-bytes}: under exactly-once one
 * refused record would stop the instance, on every restart. tailstream reads the topic's limit at
 * start and splits kept traces under it: a trace with a 60 KB attribute comes out whole, in
 * records the broker accepts, and processing goes on.
 */
class TopicLimitsIntegrationTest {
  private static final int LIMIT = 8_000;

  @TempDir
  Path dir;

  @Test
  void keptTracesAreSplitUnderTheOutputTopicsLimit() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic("it-limits-out", 3, (short) 1)
            .configs(Map.of("max.message.bytes", Integer.toString(LIMIT))))).all().get();
      }
      Path config = KafkaTestSupport.writeConfig(dir, broker.bootstrapServers(), "it-limits",
          "{ wait: 2s, after-root: 1s, idle: 1s, check-interval: 100ms }", "");
      InferenceWorkload.Trace big = new InferenceWorkload(17, 1.0, 0, 0).next(); // an error: kept
      InferenceWorkload.Trace next = new InferenceWorkload(18, 1.0, 0, 0).next();
      ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
      big.resources().forEach(request::addResourceSpans);
      request.getResourceSpansBuilder(0).getScopeSpansBuilder(0).getSpansBuilder(0).addAttributes(
          KeyValue.newBuilder().setKey("blob").setValue(AnyValue.newBuilder().setStringValue(randomHex(60_000))));
      ExportTraceServiceRequest.Builder second = ExportTraceServiceRequest.newBuilder();
      next.resources().forEach(second::addResourceSpans);

      try (TailstreamApp app = TailstreamApp.create(ConfigLoader.load(config, Map.of()))) {
        app.start();
        KafkaTestSupport.produce(broker.bootstrapServers(), "it-limits-in",
            List.of(request.build().toByteArray(), second.build().toByteArray()));
        String bigId = TraceIds.hex(big.traceId());
        String nextId = TraceIds.hex(next.traceId());
        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
            "it-limits-out", records -> keys(records).containsAll(Set.of(bigId, nextId)),
            Duration.ofSeconds(2), Duration.ofSeconds(60));

        assertThat(app.state()).as("last stream thread failure: %s", app.lastThreadFailure().map(KafkaTestSupport::stackTrace).orElse("-"))
            .isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(keys(out)).contains(bigId, nextId);
        Set<String> spanIds = new HashSet<>();
        boolean truncated = false;
        for (ConsumerRecord<byte[], byte[]> r : out) {
          assertThat(r.serializedValueSize()).isLessThan(LIMIT);
          for (Span s : Spans.allSpans(ExportTraceServiceRequest.parseFrom(r.value()))) {
            if (TraceIds.hex(s.getTraceId()).equals(bigId)) {
              assertThat(spanIds.add(TraceIds.hex(s.getSpanId()))).as("each span once").isTrue();
              truncated |= s.getAttributesList().stream().anyMatch(a -> a.getKey().equals("tailstream.truncated"));
            }
          }
        }
        Set<String> expected = new HashSet<>();
        big.spans().forEach(s -> expected.add(TraceIds.hex(s.getSpanId())));
        assertThat(spanIds).as("every span of the big trace").isEqualTo(expected);
        assertThat(truncated).as("the 60 KB value was shortened, and says so").isTrue();
        assertThat(app.metrics().registry().get("tailstream.records.refused").tag("topic", "it-limits-out")
            .counter().count()).isZero();
      }
    }
  }

  private static Set<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
    Set<String> keys = new HashSet<>();
    records.forEach(r -> keys.add(new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)));
    return keys;
  }

  private static String randomHex(int length) {
    Random random = new Random(9);
    StringBuilder s = new StringBuilder();
    while (s.length() < length) {
      s.append(Long.toHexString(random.nextLong()));
    }
    return s.toString();
  }
}
