package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.TraceIds;
import io.tailstream.testing.Spans;
import io.tailstream.workload.InferenceWorkload;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What used to stop an instance for good, through a real broker: a 70 KB {@code service.name}
 * and model name, 40,000 services in one record, a 2 MB span name, and control messages without
 * a key or with null fields on a plain (delete, not compact) control topic. The instance must stay
 * RUNNING, every good trace sent after them must come out whole, the bad traces must come out
 * (shortened where they must be), and every refused control message must be counted.
 */
class HostileInputIntegrationTest {
  private static final String APP = "it-hostile";

  @TempDir
  Path dir;

  @Test
  void hostileSpansAndControlMessagesNeitherStopTheInstanceNorHurtGoodTraces() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
        // An input that takes 8 MiB records, and a control topic as a console user makes it.
        admin.createTopics(List.of(
            new NewTopic(APP + "-in", 3, (short) 1).configs(Map.of("max.message.bytes", "8388608")),
            new NewTopic(APP + "-control", 1, (short) 1))).all().get();
      }
      Path config = KafkaTestSupport.writeConfig(dir, broker.bootstrapServers(), APP,
          "{ wait: 3s, after-root: 1s, idle: 1s, check-interval: 100ms }", "");
      Map<String, Integer> expected = new HashMap<>();
      List<byte[]> hostile = new ArrayList<>();
      String huge = "x".repeat(70_000);
      hostile.add(errorTrace(1, huge, huge, "root", expected));
      hostile.add(errorTrace(2, "gateway", "ranker", "n".repeat(2_000_000), expected));
      ExportTraceServiceRequest.Builder wide = ExportTraceServiceRequest.newBuilder();
      byte[] wideId = Spans.traceId(3);
      for (int i = 0; i < 40_000; i++) {
        wide.addResourceSpans(Spans.resource("service-" + i, "s",
            Spans.span(wideId, i + 1, i == 0 ? null : 1, "op", 0, 1)));
      }
      wide.addResourceSpans(Spans.resource("model-server", "s", Spans.error(Spans.span(wideId, 50_000, 1, "infer", 0, 1))));
      expected.put(TraceIds.hex(wideId), 40_001);
      hostile.add(wide.build().toByteArray());
      List<byte[]> good = new ArrayList<>();
      InferenceWorkload workload = new InferenceWorkload(41, 1.0, 0, 0); // every trace an error: kept
      for (int i = 0; i < 50; i++) {
        InferenceWorkload.Trace t = workload.next();
        ExportTraceServiceRequest.Builder r = ExportTraceServiceRequest.newBuilder();
        t.resources().forEach(r::addResourceSpans);
        good.add(r.build().toByteArray());
        expected.put(TraceIds.hex(t.traceId()), t.spans().size());
      }

      try (TailstreamApp app = TailstreamApp.create(ConfigLoader.load(config, Map.of()))) {
        app.start();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            "bootstrap.servers", broker.bootstrapServers(), "max.request.size", 8 << 20, "acks", "all"),
            new ByteArraySerializer(), new ByteArraySerializer())) {
          for (String bad : List.of(
              "{\"action\":\"boost\",\"scope\":{\"service\":\"ranker\"},\"sample\":\"50%\",\"ttl\":\"5m\"}",
              "{\"action\":\"boost\",\"id\":\"a\",\"sample\":null,\"ttl\":\"5m\"}",
              "{\"action\":\"boost\",\"id\":\"b\",\"keep-all\":{},\"ttl\":\"5m\"}",
              "{\"action\":\"boost\",\"id\":\"c\",\"auto\":[],\"ttl\":\"5m\"}",
              "not json at all")) {
            producer.send(new ProducerRecord<>(APP + "-control", null, bad.getBytes(StandardCharsets.UTF_8)));
          }
          producer.send(new ProducerRecord<>(APP + "-control", "d".getBytes(StandardCharsets.UTF_8), null));
          for (byte[] h : hostile) {
            producer.send(new ProducerRecord<>(APP + "-in", null, h));
          }
          for (byte[] g : good) {
            producer.send(new ProducerRecord<>(APP + "-in", null, g));
          }
          producer.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> out = KafkaTestSupport.consume(broker.bootstrapServers(),
            APP + "-out", records -> spansPerTrace(records).equals(expected),
            Duration.ofSeconds(2), Duration.ofSeconds(120));

        assertThat(app.state()).isEqualTo(KafkaStreams.State.RUNNING);
        assertThat(spansPerTrace(out)).isEqualTo(expected);
        TailstreamMetrics metrics = app.metrics();
        assertThat(metrics.controlRejectedCount()).as("refused control messages counted")
            .isGreaterThanOrEqualTo(4);
        assertThat(metrics.deadLetterRecords()).isZero();
        for (ConsumerRecord<byte[], byte[]> r : out) {
          assertThat(r.serializedValueSize()).isLessThanOrEqualTo(1 << 20);
        }
      }
    }
  }

  private static byte[] errorTrace(int n, String service, String model, String rootName,
      Map<String, Integer> expected) {
    byte[] id = Spans.traceId(n);
    expected.put(TraceIds.hex(id), 2);
    return Spans.request(
        Spans.resource(service, "http", Spans.span(id, 1, null, rootName, 0, 10)),
        Spans.resource("model-server", "inference",
            Spans.error(Spans.model(Spans.span(id, 2, 1, "infer", 1, 5), model)))).toByteArray();
  }

  private static Map<String, Integer> spansPerTrace(List<ConsumerRecord<byte[], byte[]>> records) {
    try {
      return KafkaTestSupport.spansPerTrace(records);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
