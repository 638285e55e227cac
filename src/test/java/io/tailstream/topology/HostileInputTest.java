package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.RulesParser;
import io.tailstream.testing.Spans;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded fuzz of the input path: malformed records of every kind interleaved with good ones.
 * Nothing may escape the topology, every good trace must come out whole, and every dead letter
 * must say why. CI runs {@value #DEFAULT_RECORDS} records per encoding; set
 * {@code -Dtailstream.fuzz.records=100000} (or more) for a longer run.
 */
class HostileInputTest {
  static final int DEFAULT_RECORDS = 20_000;

  @TempDir
  Path stateDir;

  @ParameterizedTest
  @EnumSource(Encoding.class)
  void malformedInputNeverStopsTheStreamNorHurtsGoodTraces(Encoding encoding) throws Exception {
    int records = Integer.getInteger("tailstream.fuzz.records", DEFAULT_RECORDS);
    TailstreamConfig config = ConfigLoader.parse("kafka: { bootstrap-servers: unused:1 }\nencoding: "
        + encoding + "\ndecision: { wait: 5s, after-root: 1s, idle: 1s, max-spans-per-trace: 100000 }\n",
        "fuzz.yaml", Path.of("."), Map.of());
    OtlpCodec codec = OtlpCodec.of(encoding);
    TailstreamMetrics metrics = new TailstreamMetrics();
    ActiveRules rules = new ActiveRules(Decider.compile(RulesParser.parse(
        "rules:\n  - name: errors\n    keep: { error: true }\n", "r.yaml")));
    Properties props = new Properties();
    props.put("application.id", "fuzz");
    props.put("bootstrap.servers", "unused:1");
    props.put("state.dir", stateDir.toString());
    Random random = new Random(20261125L + encoding.ordinal());
    Map<String, Integer> goodTraces = new HashMap<>();
    int certainlyBad = 0;
    try (TopologyTestDriver driver = new TopologyTestDriver(TailstreamTopology.build(config, rules, metrics),
        props, Instant.parse("2026-11-25T00:00:00Z"))) {
      TestInputTopic<byte[], byte[]> in = driver.createInputTopic("otlp_spans", new ByteArraySerializer(),
          new ByteArraySerializer());
      byte[] valid = codec.encode(goodTrace(random, -1));
      for (int i = 0; i < records; i++) {
        if (i % 50 == 0) {
          ExportTraceServiceRequest good = goodTrace(random, i);
          goodTraces.put(TraceIds.hex(good.getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId()),
              Spans.spanCount(good));
          in.pipeInput(null, codec.encode(good));
          continue;
        }
        byte[] bad;
        switch (random.nextInt(8)) {
          case 0 -> { // random bytes
            bad = new byte[random.nextInt(2000)];
            random.nextBytes(bad);
          }
          case 1 -> { // truncated
            bad = Arrays.copyOf(valid, 1 + random.nextInt(valid.length - 1));
            certainlyBad += encoding == Encoding.OTLP_JSON ? 1 : 0;
          }
          case 2 -> { // bit flips
            bad = valid.clone();
            for (int f = 0; f < 1 + random.nextInt(5); f++) {
              bad[random.nextInt(bad.length)] ^= (byte) (1 << random.nextInt(8));
            }
          }
          case 3 -> { // invalid UTF-8 / not the configured encoding
            bad = encoding == Encoding.OTLP_JSON ? new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}
                : "{\"resourceSpans\":[]}".getBytes(StandardCharsets.UTF_8);
            certainlyBad++;
          }
          case 4 -> { // zero and short trace ids
            bad = codec.encode(Spans.request(Spans.resource("svc", "s",
                Span.newBuilder().setName("zero").setTraceId(ByteString.copyFrom(new byte[16])),
                Span.newBuilder().setName("short").setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3})))));
            certainlyBad++;
          }
          case 5 -> { // nesting far too deep
            bad = encoding == Encoding.OTLP_JSON ? deepJson(300)
                : codec.encode(Spans.request(Spans.resource("svc", "s", Spans.error(
                    Spans.span(Spans.randomTraceId(random), 1, null, "deep", 0, 1)).addAttributes(deep(200)))));
            certainlyBad++;
          }
          case 6 -> { // wrong wire type for field 1
            bad = valid.clone();
            bad[0] = (byte) ((bad[0] & 0xF8) | 5);
          }
          default -> { // not OTLP at all
            bad = ("garbage " + random.nextLong()).getBytes(StandardCharsets.UTF_8);
            certainlyBad++;
          }
        }
        in.pipeInput(null, bad);
      }
      // A few extremes: a 10 MB attribute value and a request with 100,000 spans.
      byte[] bigTrace = Spans.randomTraceId(random);
      in.pipeInput(null, codec.encode(Spans.request(Spans.resource("svc", "s", Spans.error(
          Spans.span(bigTrace, 1, null, "big", 0, 1)).addAttributes(Spans.attr("blob", "b".repeat(10_000_000)))))));
      byte[] wideTrace = Spans.randomTraceId(random);
      Span.Builder[] many = new Span.Builder[100_000];
      for (int s = 0; s < many.length; s++) {
        many[s] = Spans.span(wideTrace, s + 2, 1, "s", s, 1);
      }
      many[0] = Spans.error(many[0]);
      in.pipeInput(null, codec.encode(Spans.request(Spans.resource("svc", "s", many))));
      driver.advanceWallClockTime(Duration.ofSeconds(10));

      Map<String, Integer> out = new HashMap<>();
      for (TestRecord<String, byte[]> r : driver.createOutputTopic("sampled_traces", new StringDeserializer(),
          new ByteArrayDeserializer()).readRecordsToList()) {
        out.merge(r.key(), Spans.spanCount(codec.decode(r.value()).request()), Integer::sum);
      }
      for (Map.Entry<String, Integer> good : goodTraces.entrySet()) {
        assertThat(out.get(good.getKey())).as("good trace %s whole", good.getKey()).isEqualTo(good.getValue());
      }
      assertThat(out.get(TraceIds.hex(wideTrace))).isEqualTo(100_000);
      assertThat(out).containsKey(TraceIds.hex(bigTrace));
      var dead = driver.createOutputTopic("otlp_spans_dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer())
          .readRecordsToList();
      assertThat(dead).allSatisfy(r -> assertThat(r.headers().lastHeader(Headers.ERROR).value()).isNotEmpty());
      assertThat(dead.size()).isGreaterThanOrEqualTo(certainlyBad);
      assertThat(metrics.recordsIn()).isEqualTo(records + 2);
    }
  }

  private static ExportTraceServiceRequest goodTrace(Random random, int n) {
    byte[] id = Spans.randomTraceId(random);
    return Spans.request(Spans.resource("gateway", "http", Spans.error(Spans.span(id, 1, null, "root-" + n, 0, 10))),
        Spans.resource("model-server", "inference", Spans.model(Spans.span(id, 2, 1, "infer", 1, 5), "m")));
  }

  private static byte[] deepJson(int levels) {
    StringBuilder b = new StringBuilder("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\""
        + "5b8efff798038103d269b633813fc60c\",\"attributes\":[{\"key\":\"deep\",\"value\":");
    for (int i = 0; i < levels; i++) {
      b.append("{\"kvlistValue\":{\"values\":[{\"key\":\"k\",\"value\":");
    }
    b.append("{\"stringValue\":\"bottom\"}");
    b.append("}]}}".repeat(levels));
    b.append("}]}]}]}]}");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static KeyValue deep(int levels) {
    AnyValue v = AnyValue.newBuilder().setStringValue("bottom").build();
    for (int i = 0; i < levels; i++) {
      v = AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
          .addValues(KeyValue.newBuilder().setKey("k").setValue(v))).build();
    }
    return KeyValue.newBuilder().setKey("deep").setValue(v).build();
  }
}
