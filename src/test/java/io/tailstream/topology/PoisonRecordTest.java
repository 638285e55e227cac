package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.FragmentBatch;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.decide.TraceFacts;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.metrics.TailstreamMetrics.DeadLetterReason;
import io.tailstream.otlp.Encoding;
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
import org.apache.kafka.common.serialization.BytesSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records that used to stop the stream thread, and stop it again after every restart because
 * their offset was never committed: each now comes out (whole, shortened or dead-lettered with
 * its reason) and the records after it are processed.
 */
class PoisonRecordTest {
  private static final String REPARTITION = "poison-by-trace";

  @TempDir
  Path stateDir;

  private final TailstreamMetrics metrics = new TailstreamMetrics();

  private TopologyTestDriver driver(Encoding encoding, long deadLetterBytes) {
    TailstreamConfig config = ConfigLoader.parse("kafka: { bootstrap-servers: unused:1, application-id: poison }\nencoding: "
        + encoding + "\noutput: { max-record-bytes: 64KiB }\n"
        + "decision: { wait: 5s, after-root: 1s, idle: 1s }\n", "poison.yaml", Path.of("."), Map.of())
        .withMaxDeadLetterRecordBytes(deadLetterBytes);
    ActiveRules rules = new ActiveRules(Decider.compile(RulesParser.parse(
        "rules:\n  - name: errors\n    keep: { error: true }\n", "r.yaml")));
    Properties props = new Properties();
    props.put("application.id", "poison");
    props.put("bootstrap.servers", "unused:1");
    props.put("state.dir", stateDir.toString());
    DeadLetterHandler.install(props, config, metrics);
    return new TopologyTestDriver(TailstreamTopology.build(config, rules, metrics), props,
        Instant.parse("2026-12-01T00:00:00Z"));
  }

  private static TestInputTopic<byte[], byte[]> input(TopologyTestDriver driver) {
    return driver.createInputTopic("otlp_spans", new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static List<TestRecord<String, byte[]>> output(TopologyTestDriver driver) {
    return driver.createOutputTopic("sampled_traces", new StringDeserializer(), new ByteArrayDeserializer())
        .readRecordsToList();
  }

  private static List<TestRecord<byte[], byte[]>> deadLetters(TopologyTestDriver driver) {
    return driver.createOutputTopic("otlp_spans_dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer())
        .readRecordsToList();
  }

  private static String header(TestRecord<?, ?> r, String name) {
    var h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** An error trace of two spans, with something bad in its first resource. */
  private static ExportTraceServiceRequest errorTrace(int n, ResourceSpans first) {
    byte[] id = Spans.traceId(n);
    return Spans.request(first, Spans.resource("model-server", "inference",
        Spans.error(Spans.span(id, 2, 1, "infer", 1, 5))));
  }

  private static int spans(OtlpCodec codec, List<TestRecord<String, byte[]>> records, String traceHex) {
    int spans = 0;
    for (TestRecord<String, byte[]> r : records) {
      if (r.key().equals(traceHex)) {
        try {
          spans += Spans.spanCount(codec.decode(r.value()).request());
        } catch (io.tailstream.otlp.OtlpDecodeException e) {
          throw new AssertionError("output record of " + traceHex + " unreadable", e);
        }
      }
    }
    return spans;
  }

  @Test
  void hugeNamesAndFortyThousandServicesInOneRecordComeOutWhole() {
    OtlpCodec codec = OtlpCodec.of(Encoding.OTLP_PROTO);
    try (TopologyTestDriver driver = driver(Encoding.OTLP_PROTO, 1 << 20)) {
      TestInputTopic<byte[], byte[]> in = input(driver);
      String huge = "s".repeat(70_000);
      in.pipeInput(null, codec.encode(errorTrace(1, Spans.resource(huge, "http",
          Spans.model(Spans.span(Spans.traceId(1), 1, null, "root", 0, 10), "m".repeat(70_000))))));
      ExportTraceServiceRequest.Builder wide = ExportTraceServiceRequest.newBuilder();
      for (int i = 0; i < 40_000; i++) {
        wide.addResourceSpans(Spans.resource("service-" + i, "s",
            Spans.span(Spans.traceId(2), i + 1, i == 0 ? null : 1, "op", 0, 1)));
      }
      wide.addResourceSpans(Spans.resource("model-server", "s",
          Spans.error(Spans.span(Spans.traceId(2), 50_000, 1, "infer", 0, 1))));
      in.pipeInput(null, codec.encode(wide.build()));
      in.pipeInput(null, codec.encode(errorTrace(3, Spans.resource("gateway", "http",
          Spans.span(Spans.traceId(3), 1, null, "root", 0, 10)))));
      driver.advanceWallClockTime(Duration.ofSeconds(10));

      List<TestRecord<String, byte[]>> out = output(driver);
      assertThat(spans(codec, out, TraceIds.hex(Spans.traceId(1)))).isEqualTo(2);
      assertThat(spans(codec, out, TraceIds.hex(Spans.traceId(2)))).isEqualTo(40_001);
      assertThat(spans(codec, out, TraceIds.hex(Spans.traceId(3)))).isEqualTo(2);
      assertThat(out).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(64 * 1024));
      assertThat(deadLetters(driver)).isEmpty();
    }
  }

  @Test
  void aKeptSpanWithATwoMegabyteNameIsShortenedUnderTheRecordLimit() {
    for (Encoding encoding : Encoding.values()) {
      OtlpCodec codec = OtlpCodec.of(encoding);
      try (TopologyTestDriver driver = driver(encoding, 1 << 20)) {
        Span.Builder bigName = Spans.span(Spans.traceId(4), 1, null, "n".repeat(2_000_000), 0, 10);
        input(driver).pipeInput(null, codec.encode(errorTrace(4, Spans.resource("gateway", "http", bigName))));
        driver.advanceWallClockTime(Duration.ofSeconds(10));
        List<TestRecord<String, byte[]>> out = output(driver);
        assertThat(spans(codec, out, TraceIds.hex(Spans.traceId(4)))).as(encoding.name()).isEqualTo(2);
        assertThat(out).allSatisfy(r -> assertThat(r.value().length).isLessThanOrEqualTo(64 * 1024));
      }
    }
  }

  @Test
  void anUnreadableInternalRecordIsDeadLetteredAndTheNextOneProcessed() {
    OtlpCodec codec = OtlpCodec.of(Encoding.OTLP_PROTO);
    try (TopologyTestDriver driver = driver(Encoding.OTLP_PROTO, 1 << 20)) {
      driver.createInputTopic(REPARTITION, new BytesSerializer(), new ByteArraySerializer())
          .pipeInput(Bytes.wrap(Spans.traceId(5)), new byte[] {9, 9, 9}); // version 9: unknown
      input(driver).pipeInput(null, codec.encode(errorTrace(6, Spans.resource("gateway", "http",
          Spans.span(Spans.traceId(6), 1, null, "root", 0, 10)))));
      driver.advanceWallClockTime(Duration.ofSeconds(10));

      assertThat(spans(codec, output(driver), TraceIds.hex(Spans.traceId(6)))).isEqualTo(2);
      List<TestRecord<byte[], byte[]>> dead = deadLetters(driver);
      assertThat(dead).singleElement().satisfies(r -> {
        assertThat(header(r, Headers.ERROR)).contains("unknown internal format version 9");
        assertThat(header(r, Headers.EXCEPTION)).endsWith("SerializationException");
        assertThat(header(r, Headers.SOURCE)).startsWith(REPARTITION + "/");
        assertThat(r.value()).containsExactly(9, 9, 9);
      });
      assertThat(metrics.deadLetterRecords(DeadLetterReason.CORRUPT_INTERNAL)).isEqualTo(1);
    }
  }

  @Test
  void aBatchedFragmentThatCannotBeBufferedGoesToTheDeadLetterTopicAloneAndTheRestOfItsBatchIsKept() {
    OtlpCodec codec = OtlpCodec.of(Encoding.OTLP_PROTO);
    try (TopologyTestDriver driver = driver(Encoding.OTLP_PROTO, 1 << 20)) {
      byte[] good = Spans.traceId(9);
      byte[] shortId = java.util.Arrays.copyOf(Spans.traceId(10), 15);
      FragmentBatch batch = new FragmentBatch(0, List.of(
          new FragmentBatch.Entry(Bytes.wrap(shortId), fragment(errorTrace(10, Spans.resource("gateway", "http",
              Spans.span(Spans.traceId(10), 1, null, "root", 0, 10))))),
          new FragmentBatch.Entry(Bytes.wrap(good), fragment(errorTrace(9, Spans.resource("gateway", "http",
              Spans.span(good, 1, null, "root", 0, 10)))))));
      driver.createInputTopic(REPARTITION, new BytesSerializer(), new ByteArraySerializer())
          .pipeInput(null, InternalSerdes.BY_TRACE.serializer().serialize("", batch));
      driver.advanceWallClockTime(Duration.ofSeconds(10));

      assertThat(spans(codec, output(driver), TraceIds.hex(good))).isEqualTo(2);
      assertThat(deadLetters(driver)).singleElement().satisfies(r -> {
        assertThat(header(r, Headers.ERROR)).contains("buffering the fragment failed").contains("15 bytes");
        assertThat(Spans.spanCount(codec.decode(r.value()).request())).isEqualTo(2);
      });
      assertThat(metrics.bufferedTraces()).isZero();
    }
  }

  /** The request's spans as split hands them on: TracesData bytes and their facts. */
  private static Fragment fragment(ExportTraceServiceRequest request) {
    byte[] data = request.toByteArray(); // a TracesData has the same single field
    TraceFacts facts = new TraceFacts(Spans.spanCount(request), data.length, 0, 10_000_000, true, true,
        Map.of(), java.util.Set.of("gateway"), -1, -1);
    return new Fragment(facts, data);
  }

  @Test
  void aTraceWhoseDecisionThrowsIsDeadLetteredWithTheExceptionAndOthersAreDecided() {
    // OTLP/JSON output parses buffered fragments: garbage bytes behind valid facts make the
    // emission throw inside the punctuation that decides both traces.
    OtlpCodec codec = OtlpCodec.of(Encoding.OTLP_JSON);
    try (TopologyTestDriver driver = driver(Encoding.OTLP_JSON, 1 << 20)) {
      TraceFacts errorFacts = new TraceFacts(1, 4, 0, 1, true, true, Map.of(), java.util.Set.of("svc"), -1, -1);
      driver.createInputTopic(REPARTITION, new BytesSerializer(), new ByteArraySerializer())
          .pipeInput(Bytes.wrap(Spans.traceId(7)), InternalSerdes.FRAGMENT.serializer()
              .serialize("", new Fragment(errorFacts, new byte[] {(byte) 0xff, 1, 2, 3})));
      input(driver).pipeInput(null, codec.encode(errorTrace(8, Spans.resource("gateway", "http",
          Spans.span(Spans.traceId(8), 1, null, "root", 0, 10)))));
      driver.advanceWallClockTime(Duration.ofSeconds(10));

      List<TestRecord<String, byte[]>> out = output(driver);
      assertThat(spans(codec, out, TraceIds.hex(Spans.traceId(8)))).isEqualTo(2);
      assertThat(out).noneMatch(r -> r.key().equals(TraceIds.hex(Spans.traceId(7))));
      assertThat(deadLetters(driver)).singleElement().satisfies(r -> {
        assertThat(header(r, Headers.ERROR)).contains("deciding the trace failed");
        assertThat(header(r, Headers.EXCEPTION)).isEqualTo(IllegalStateException.class.getName());
      });
      assertThat(metrics.deadLetterRecords(DeadLetterReason.PROCESSING_ERROR)).isEqualTo(1);
      assertThat(metrics.bufferedTraces()).isZero();
      // Not retried at the next punctuation.
      driver.advanceWallClockTime(Duration.ofSeconds(10));
      assertThat(deadLetters(driver)).isEmpty();
    }
  }

  @Test
  void aDeadLetterLargerThanItsTopicTakesIsCutAndSaysHowLongItWas() {
    try (TopologyTestDriver driver = driver(Encoding.OTLP_PROTO, 10_000)) {
      byte[] garbage = new byte[50_000];
      java.util.Arrays.fill(garbage, (byte) 0xff);
      input(driver).pipeInput("k".getBytes(StandardCharsets.UTF_8), garbage);
      List<TestRecord<byte[], byte[]>> dead = deadLetters(driver);
      assertThat(dead).singleElement().satisfies(r -> {
        assertThat(r.value().length).isLessThan(10_000).isGreaterThan(5_000);
        assertThat(header(r, Headers.TRUNCATED_FROM)).isEqualTo("50000");
        assertThat(header(r, Headers.ERROR)).isNotBlank();
      });
    }
  }
}
