package io.tailstream.bench;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.otlp.TraceIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A million traces in flight: a long {@code wait} keeps every trace buffered while the input
 * grows, and at 10%, 50% and 100% of the target the heap after GC and the RocksDB files are
 * sampled. Buffered spans live in RocksDB; per trace the JVM keeps only a due-index entry, so
 * the heap must stay flat while the files grow. Traces are small (a root and one inference span,
 * one record each, keyed by trace id) so that a million of them load in about a minute.
 */
final class MemoryScenario {
  private static final Logger log = LoggerFactory.getLogger(MemoryScenario.class);

  /** One sample. */
  record Point(long traces, long heapAfterGcBytes, long rocksDbFileBytes, long bufferedOtlpBytes) {}

  /** All samples and what the spans cost on disk once the memtables are flushed. */
  record Result(List<Point> points, long spans, long inputBytes, long storeBytesAfterClose) {
    double storeBytesPerSpan() {
      return (double) storeBytesAfterClose / spans;
    }

    double inputBytesPerSpan() {
      return (double) inputBytes / spans;
    }
  }

  interface ConfigFactory {
    TailstreamConfig create(String bootstrap, String appId, String in, boolean keyed, String prefix,
        EndToEndBenchmark.Options o, Path dir, String decision) throws java.io.IOException;
  }

  private MemoryScenario() {}

  static Result run(String bootstrap, String prefix, EndToEndBenchmark.Options o, Path work,
      ConfigFactory configs) throws Exception {
    String appId = prefix + "memory";
    String topic = prefix + "mem";
    Path dir = work.resolve(appId);
    TailstreamConfig config = configs.create(bootstrap, appId, topic, true, prefix, o, dir,
        "{ wait: 1h, after-root: 1h, idle: 1h, check-interval: 1s }");
    long target = o.memoryTraces();
    long[] marks = {target / 10, target / 2, target};
    List<Point> points = new ArrayList<>();
    long spans = 0;
    long bytes = 0;
    long storeAfterClose;
    Random random = new Random(o.seed());
    try (TailstreamApp app = TailstreamApp.create(config)) {
      app.start();
      app.awaitRunning(Duration.ofSeconds(60));
      long sent = 0;
      for (long mark : marks) {
        // A producer per step, closed before the heap is sampled: its buffer pool is not ours.
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            "bootstrap.servers", bootstrap, "linger.ms", 20, "compression.type", "lz4"),
            new ByteArraySerializer(), new ByteArraySerializer())) {
          for (; sent < mark; sent++) {
            byte[] traceId = new byte[16];
            random.nextBytes(traceId);
            byte[] value = twoSpanTrace(traceId, random).toByteArray();
            producer.send(new ProducerRecord<>(topic,
                TraceIds.hex(traceId).getBytes(StandardCharsets.UTF_8), value));
            spans += 2;
            bytes += value.length;
          }
        }
        Offsets.awaitConsumed(bootstrap, appId, List.of(topic));
        while (app.metrics().bufferedTraces() < mark) {
          Thread.sleep(20);
        }
        Point p = new Point(app.metrics().bufferedTraces(), Probe.heapAfterGc(),
            StoreFiles.bytes(dir.resolve("state"), null), app.metrics().bufferedBytes());
        log.info("memory: {} traces in flight, heap after GC {} MiB, RocksDB files {} MiB",
            p.traces(), p.heapAfterGcBytes() >> 20, p.rocksDbFileBytes() >> 20);
        points.add(p);
      }
      app.close();
      storeAfterClose = StoreFiles.bytes(dir.resolve("state"), "trace-spans");
    }
    return new Result(points, spans, bytes, storeAfterClose);
  }

  private static ExportTraceServiceRequest twoSpanTrace(byte[] traceId, Random random) {
    byte[] rootId = new byte[8];
    byte[] childId = new byte[8];
    random.nextBytes(rootId);
    random.nextBytes(childId);
    long start = 1_790_000_000_000_000_000L + random.nextInt(1_000_000_000);
    Span root = Span.newBuilder()
        .setTraceId(com.google.protobuf.ByteString.copyFrom(traceId))
        .setSpanId(com.google.protobuf.ByteString.copyFrom(rootId))
        .setName("POST /v1/predict").setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 40_000_000L)
        .addAttributes(attr("http.route", "/v1/predict"))
        .addAttributes(attr("tenant", "initech"))
        .build();
    Span inference = Span.newBuilder()
        .setTraceId(com.google.protobuf.ByteString.copyFrom(traceId))
        .setSpanId(com.google.protobuf.ByteString.copyFrom(childId))
        .setParentSpanId(root.getSpanId())
        .setName("inference ranker-v3").setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(start + 5_000_000L).setEndTimeUnixNano(start + 35_000_000L)
        .addAttributes(attr("gen_ai.request.model", "ranker-v3"))
        .addAttributes(attr("gen_ai.operation.name", "inference"))
        .build();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(attr("service.name", "gateway")))
            .addScopeSpans(ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.tailstream.bench"))
                .addSpans(root).addSpans(inference)))
        .build();
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}
