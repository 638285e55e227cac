package io.tailstream.topology;

import static io.tailstream.testing.Spans.allSpans;
import static io.tailstream.testing.Spans.attr;
import static io.tailstream.testing.Spans.error;
import static io.tailstream.testing.Spans.model;
import static io.tailstream.testing.Spans.request;
import static io.tailstream.testing.Spans.resource;
import static io.tailstream.testing.Spans.span;
import static io.tailstream.testing.Spans.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole topology through {@link TopologyTestDriver}: wall-clock time is advanced by hand, so
 * each decision trigger can be shown alone.
 */
class TailstreamTopologyTest {
  private static final String RULES = """
      rules:
        - name: errors
          keep: { error: true }
        - name: slow
          keep: { latency: "> 2s" }
        - name: slow-model
          keep:
            model-inference:
              thresholds: { ranker-v3: 800ms, default: 1500ms }
      """;
  private static final Instant START = Instant.parse("2026-11-25T10:00:00Z");

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<String, byte[]> output;
  private TestOutputTopic<byte[], byte[]> deadLetters;
  private TailstreamMetrics metrics;
  private ActiveRules activeRules;
  private OtlpCodec codec;

  private void start(String extraConfig, String rules) {
    TailstreamConfig config = ConfigLoader.parse("""
        kafka: { bootstrap-servers: unused:9092, application-id: ts-test }
        decision: { wait: 30s, after-root: 5s, idle: 10s, late-span-ttl: 2m, check-interval: 1s,
                    max-spans-per-trace: 50, max-bytes-per-trace: 64KiB }
        """ + extraConfig, "test.yaml", Path.of("."), Map.of());
    metrics = new TailstreamMetrics();
    codec = OtlpCodec.of(config.encoding());
    Decider decider = Decider.compile(RulesParser.parse(rules, "rules.yaml"));
    Properties props = new Properties();
    props.put("application.id", "ts-test");
    props.put("bootstrap.servers", "unused:9092");
    props.put("state.dir", stateDir.toString());
    activeRules = new ActiveRules(decider);
    driver = new TopologyTestDriver(TailstreamTopology.build(config, activeRules, metrics), props, START);
    input = driver.createInputTopic(config.topics().input(), new ByteArraySerializer(),
        new ByteArraySerializer());
    output = driver.createOutputTopic(config.topics().output(), new StringDeserializer(),
        new ByteArrayDeserializer());
    deadLetters = driver.createOutputTopic(config.topics().deadLetter(), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  private void start() {
    start("", RULES);
  }

  @AfterEach
  void close() {
    if (driver != null) {
      driver.close();
    }
  }

  private void send(ExportTraceServiceRequest request) {
    input.pipeInput(null, codec.encode(request));
  }

  private void advance(Duration d) {
    driver.advanceWallClockTime(d);
  }

  private List<Span> outputSpans(List<TestRecord<String, byte[]>> records) {
    return records.stream().flatMap(r -> {
      try {
        return allSpans(codec.decode(r.value()).request()).stream();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }).toList();
  }

  private static String header(TestRecord<?, ?> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  /** The rule that kept each trace read from the output topic, by trace id. */
  private Map<String, String> keptByRule() {
    Map<String, String> rules = new java.util.HashMap<>();
    for (TestRecord<String, byte[]> r : output.readRecordsToList()) {
      rules.put(r.key(), header(r, Headers.RULE));
    }
    return rules;
  }

  /** An error trace without a root span: only wait (or idle) can decide it. */
  private static ExportTraceServiceRequest errorChild(byte[] trace, int spanId, long startMs) {
    return request(resource("model-server", "inference",
        error(span(trace, spanId, 1, "infer", startMs, 10))));
  }

  @Test
  void waitAloneDecidesWhenSpansKeepComing() {
    start();
    byte[] t = traceId(1);
    // A child every 5 s: never idle for 10 s, no root: only first + wait (30 s) applies.
    for (int i = 0; i < 6; i++) {
      send(errorChild(t, 10 + i, i));
      advance(Duration.ofSeconds(5));
      if (i < 5) {
        assertThat(output.isEmpty()).as("no decision before wait, at %s s", (i + 1) * 5).isTrue();
      }
    }
    List<TestRecord<String, byte[]>> out = output.readRecordsToList();
    assertThat(out).hasSize(1);
    assertThat(out.get(0).key()).isEqualTo(TraceIds.hex(t));
    assertThat(header(out.get(0), Headers.RULE)).isEqualTo("errors");
    assertThat(Long.parseLong(header(out.get(0), Headers.DECISION_DELAY_MS))).isBetween(30_000L, 31_000L);
    assertThat(outputSpans(out)).hasSize(6);
    assertThat(metrics.decisions(io.tailstream.buffer.TraceSummary.Trigger.WAIT)).isEqualTo(1);
  }

  @Test
  void afterRootAloneDecidesFiveSecondsAfterTheRoot() {
    start();
    byte[] t = traceId(2);
    send(errorChild(t, 2, 5));
    advance(Duration.ofSeconds(3));
    send(request(resource("gateway", "http", span(t, 1, null, "POST /predict", 0, 100))));
    advance(Duration.ofSeconds(4));
    assertThat(output.isEmpty()).isTrue();
    advance(Duration.ofSeconds(1)); // root + 5 s
    List<TestRecord<String, byte[]>> out = output.readRecordsToList();
    assertThat(out).hasSize(1);
    assertThat(outputSpans(out)).extracting(Span::getName).containsExactlyInAnyOrder("POST /predict", "infer");
    assertThat(metrics.decisions(io.tailstream.buffer.TraceSummary.Trigger.AFTER_ROOT)).isEqualTo(1);
  }

  @Test
  void idleAloneDecidesTenSecondsAfterTheLastSpan() {
    start();
    byte[] t = traceId(3);
    send(errorChild(t, 2, 0));
    advance(Duration.ofSeconds(6));
    send(errorChild(t, 3, 6));
    advance(Duration.ofSeconds(9));
    assertThat(output.isEmpty()).isTrue();
    advance(Duration.ofSeconds(1)); // last + 10 s, well before first + 30 s
    assertThat(outputSpans(output.readRecordsToList())).hasSize(2);
    assertThat(metrics.decisions(io.tailstream.buffer.TraceSummary.Trigger.IDLE)).isEqualTo(1);
  }

  @Test
  void keepsSlowAndSlowModelTracesWholeAndDropsTheRest() {
    start();
    byte[] slow = traceId(4);
    byte[] slowModel = traceId(5);
    byte[] fast = traceId(6);
    send(request(
        resource("gateway", "http", span(slow, 1, null, "root", 0, 2500), span(fast, 1, null, "root", 0, 300),
            span(slowModel, 1, null, "root", 0, 1200)),
        resource("model-server", "inference", model(span(slowModel, 2, 1, "infer", 10, 900), "ranker-v3"),
            model(span(fast, 2, 1, "infer", 10, 200), "ranker-v3"))));
    advance(Duration.ofSeconds(6));
    Map<String, String> rules = keptByRule();
    assertThat(rules).containsOnly(Map.entry(TraceIds.hex(slow), "slow"),
        Map.entry(TraceIds.hex(slowModel), "slow-model"));
    assertThat(metrics.droppedByRule()).containsEntry("no-rule-matched", 1L);
  }

  @Test
  void ottlConditionsDecideInTheTopology() {
    start("", """
        rules:
          - name: server-5xx
            keep:
              ottl: [ 'kind == SPAN_KIND_SERVER and Int(attributes["http.response.status_code"]) >= 500' ]
          - name: exceptions
            keep:
              ottl: { spanevent: [ 'name == "exception" and IsMatch(attributes["exception.type"], "Timeout")' ] }
        """);
    byte[] failed = traceId(40);
    byte[] timedOut = traceId(41);
    byte[] fine = traceId(42);
    send(request(resource("gateway", "http",
        span(failed, 1, null, "POST /predict", 0, 50).setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .addAttributes(attr("http.response.status_code", "503")),
        span(timedOut, 1, null, "POST /predict", 0, 50).setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .addAttributes(attr("http.response.status_code", "200"))
            .addEvents(Span.Event.newBuilder().setName("exception").addAttributes(attr("exception.type", "ReadTimeout"))),
        span(fine, 1, null, "POST /predict", 0, 50).setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .addAttributes(attr("http.response.status_code", "200"))
            .addEvents(Span.Event.newBuilder().setName("exception").addAttributes(attr("exception.type", "ValueError"))))));
    advance(Duration.ofSeconds(6));
    Map<String, String> rules = keptByRule();
    assertThat(rules).containsOnly(Map.entry(TraceIds.hex(failed), "server-5xx"),
        Map.entry(TraceIds.hex(timedOut), "exceptions"));
  }

  @Test
  void lateSpanOfAKeptTraceFollowsWithTheSameRule() {
    start();
    byte[] t = traceId(7);
    send(request(resource("gateway", "http", error(span(t, 1, null, "root", 0, 10)))));
    advance(Duration.ofSeconds(6));
    assertThat(output.readRecordsToList()).hasSize(1);
    send(request(resource("worker", "jobs", span(t, 5, 1, "late child", 20, 10))));
    List<TestRecord<String, byte[]>> late = output.readRecordsToList();
    assertThat(late).hasSize(1);
    assertThat(header(late.get(0), Headers.RULE)).isEqualTo("errors");
    assertThat(header(late.get(0), Headers.LATE)).isEqualTo("true");
    assertThat(outputSpans(late)).extracting(Span::getName).containsExactly("late child");
    assertThat(metrics.lateSpansKept()).isEqualTo(1);
  }

  @Test
  void lateSpanOfADroppedTraceIsDroppedAndCounted() {
    start();
    byte[] t = traceId(8);
    send(request(resource("gateway", "http", span(t, 1, null, "root", 0, 10))));
    advance(Duration.ofSeconds(6));
    send(request(resource("worker", "jobs", error(span(t, 5, 1, "late error", 20, 10)))));
    advance(Duration.ofSeconds(40));
    assertThat(output.isEmpty()).isTrue();
    assertThat(metrics.lateSpansDropped()).isEqualTo(1);
  }

  @Test
  void afterTheTtlALateSpanStartsANewBuffer() {
    start();
    byte[] t = traceId(9);
    send(request(resource("gateway", "http", span(t, 1, null, "root", 0, 10))));
    advance(Duration.ofSeconds(6));
    advance(Duration.ofMinutes(3)); // past late-span-ttl (2m)
    send(errorChild(t, 5, 20));
    assertThat(metrics.lateSpansDropped()).isZero();
    advance(Duration.ofSeconds(31));
    List<TestRecord<String, byte[]>> out = output.readRecordsToList();
    assertThat(out).hasSize(1);
    assertThat(outputSpans(out)).extracting(Span::getName).containsExactly("infer");
  }

  @Test
  void spanCapForcesAnEarlyDecision() {
    start();
    byte[] t = traceId(10);
    Span.Builder[] spans = new Span.Builder[50];
    for (int i = 0; i < 50; i++) {
      spans[i] = span(t, i + 2, 1, "s" + i, i, 1);
    }
    spans[0] = error(spans[0]);
    send(request(resource("svc", "s", spans)));
    List<TestRecord<String, byte[]>> out = output.readRecordsToList();
    assertThat(outputSpans(out)).hasSize(50);
    assertThat(metrics.decisions(io.tailstream.buffer.TraceSummary.Trigger.SPAN_CAP)).isEqualTo(1);
    // The next span is late and follows the decision.
    send(errorChild(t, 99, 1));
    assertThat(output.readRecordsToList()).hasSize(1);
  }

  @Test
  void byteCapForcesAnEarlyDecision() {
    start();
    byte[] t = traceId(11);
    for (int i = 0; i < 4; i++) {
      assertThat(output.isEmpty()).isTrue();
      send(request(resource("svc", "s", error(span(t, i + 2, 1, "s" + i, i, 1))
          .addAttributes(io.tailstream.testing.Spans.attr("blob", "x".repeat(20_000))))));
    }
    // 4 x 20 KB crosses the 64 KiB cap: decided without any time passing.
    assertThat(outputSpans(output.readRecordsToList())).hasSize(4);
    assertThat(metrics.decisions(io.tailstream.buffer.TraceSummary.Trigger.BYTE_CAP)).isEqualTo(1);
  }

  @Test
  void unreadableRecordsGoToTheDeadLetterTopicAndProcessingGoesOn() {
    start();
    input.pipeInput("k1".getBytes(StandardCharsets.UTF_8), "definitely not protobuf".getBytes(StandardCharsets.UTF_8));
    byte[] t = traceId(12);
    ExportTraceServiceRequest partly = request(resource("svc", "s",
        error(span(t, 1, null, "good", 0, 1)), Span.newBuilder().setName("no trace id")));
    send(partly);
    advance(Duration.ofSeconds(6));

    List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
    assertThat(dead).hasSize(2);
    assertThat(new String(dead.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("k1");
    assertThat(dead.get(0).value()).isEqualTo("definitely not protobuf".getBytes(StandardCharsets.UTF_8));
    assertThat(header(dead.get(0), Headers.ERROR)).contains("not an otlp_proto");
    assertThat(header(dead.get(0), Headers.SOURCE)).isEqualTo("otlp_spans/0/0");
    assertThat(header(dead.get(1), Headers.ERROR)).contains("without a valid 16-byte trace id");
    assertThat(allSpansOf(dead.get(1).value())).extracting(Span::getName).containsExactly("no trace id");

    assertThat(outputSpans(output.readRecordsToList())).extracting(Span::getName).containsExactly("good");
    assertThat(metrics.deadLetterRecords()).isEqualTo(2);
  }

  private List<Span> allSpansOf(byte[] value) {
    try {
      return allSpans(codec.decode(value).request());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void worksWithAndWithoutTheRepartition(boolean keyed) {
    start("input: { keyed-by-trace-id: " + keyed + " }\n", RULES);
    byte[] t = traceId(13);
    byte[] key = TraceIds.hex(t).getBytes(StandardCharsets.UTF_8);
    input.pipeInput(keyed ? key : null, codec.encode(errorChild(t, 2, 0)));
    input.pipeInput(keyed ? key : null, codec.encode(request(resource("gateway", "http",
        span(t, 1, null, "root", 0, 50)))));
    advance(Duration.ofSeconds(6));
    assertThat(outputSpans(output.readRecordsToList())).hasSize(2);
  }

  @Test
  void repartitionTopicOnlyWhenInputIsNotKeyed() {
    start("input: { keyed-by-trace-id: true }\n", RULES);
    byte[] t = traceId(14);
    input.pipeInput(TraceIds.hex(t).getBytes(StandardCharsets.UTF_8), codec.encode(errorChild(t, 2, 0)));
    assertThat(driver.producedTopicNames()).noneMatch(n -> n.contains("by-trace"));
    driver.close();
    driver = null;
    start("", RULES);
    send(errorChild(t, 2, 0));
    assertThat(driver.producedTopicNames()).contains("ts-test-by-trace");
  }

  @Test
  void baselineKeepsCarryTheThresholdInTracestate() {
    start("", "rules:\n  - name: everything\n    sample: 100%\n  - name: never\n    sample: 0%\n");
    byte[] t = traceId(15);
    send(request(resource("gateway", "http", span(t, 1, null, "root", 0, 5).setTraceState("vendor=a"))));
    advance(Duration.ofSeconds(6));
    List<Span> spans = outputSpans(output.readRecordsToList());
    assertThat(spans).hasSize(1);
    assertThat(spans.get(0).getTraceState()).isEqualTo("ot=th:0,vendor=a");
  }

  /** A trace id whose randomness passes any sampling rate (low 56 bits all set). */
  private static byte[] luckyTraceId(int n) {
    byte[] id = traceId(n);
    java.util.Arrays.fill(id, 9, 16, (byte) 0xFF);
    return id;
  }

  @Test
  void theExampleMlPolicyDecidesInTheTopology() throws Exception {
    start("", java.nio.file.Files.readString(Path.of("examples/rules-ml-inference.yaml")));
    byte[] health = traceId(20);
    byte[] slowFeatures = traceId(21);
    byte[] vip = luckyTraceId(22);
    byte[] bigBatch = traceId(23);
    byte[] plain = traceId(24);
    send(request(
        resource("gateway", "http",
            error(span(health, 1, null, "GET /healthz", 0, 2)),
            span(slowFeatures, 1, null, "POST /v1/predict", 0, 400),
            span(vip, 1, null, "POST /v1/predict", 0, 100).addAttributes(attr("tenant", "acme")),
            span(bigBatch, 1, null, "POST /v1/predict", 0, 100).addAttributes(
                io.opentelemetry.proto.common.v1.KeyValue.newBuilder().setKey("batch.size")
                    .setValue(io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setIntValue(512))),
            span(plain, 1, null, "POST /v1/predict", 0, 100)),
        resource("feature-store", "grpc", span(slowFeatures, 2, 1, "GET /features", 10, 300))));
    advance(Duration.ofSeconds(6));
    Map<String, String> rules = new java.util.HashMap<>();
    for (TestRecord<String, byte[]> r : output.readRecordsToList()) {
      rules.put(r.key(), header(r, Headers.RULE));
      assertThat(header(r, Headers.RULES_VERSION)).isEqualTo(activeRules.current().version());
    }
    assertThat(rules).containsOnly(Map.entry(TraceIds.hex(slowFeatures), "slow-feature-retrieval"),
        Map.entry(TraceIds.hex(vip), "vip-tenants"), Map.entry(TraceIds.hex(bigBatch), "big-batches"));
    assertThat(metrics.droppedByRule()).containsEntry("health-checks", 1L).containsEntry("no-rule-matched", 1L);
  }

  @Test
  void controlTopicBoostsApplyAndBadMessagesAreRefusedAndCounted() {
    start();
    TestInputTopic<String, byte[]> control = driver.createInputTopic("sampling_control",
        new org.apache.kafka.common.serialization.StringSerializer(), new ByteArraySerializer());
    control.pipeInput("oops", "{not json".getBytes(StandardCharsets.UTF_8));
    control.pipeInput("big", "{\"action\":\"boost\",\"factor\":1000000,\"ttl\":\"1h\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(metrics.controlRejectedCount()).isEqualTo(2);
    long at = START.toEpochMilli();
    control.pipeInput(new TestRecord<>("inc-9", ("{\"action\":\"boost\",\"scope\":{\"service\":\"ranker\"},"
        + "\"keep-all\":true,\"ttl\":\"1m\"}").getBytes(StandardCharsets.UTF_8), START));
    assertThat(activeRules.current().boosts().active(at)).extracting(b -> b.id()).containsExactly("inc-9");

    byte[] ranker = traceId(30);
    byte[] other = traceId(31);
    send(request(resource("ranker", "s", span(ranker, 1, null, "GET /rank", 0, 5)),
        resource("search", "s", span(other, 1, null, "GET /search", 0, 5))));
    advance(Duration.ofSeconds(6));
    assertThat(output.readRecordsToList()).extracting(TestRecord::key).containsExactly(TraceIds.hex(ranker));

    // A minute after the record was written the boost has ended, with no new message.
    advance(Duration.ofMinutes(1));
    send(request(resource("ranker", "s", span(traceId(32), 1, null, "GET /rank", 0, 5))));
    advance(Duration.ofSeconds(6));
    assertThat(output.isEmpty()).isTrue();
  }

  @Test
  void otlpJsonInOtlpJsonOut() {
    start("encoding: otlp_json\n", RULES);
    assertThat(codec.encoding()).isEqualTo(Encoding.OTLP_JSON);
    byte[] t = traceId(16);
    send(errorChild(t, 2, 0));
    advance(Duration.ofSeconds(31));
    List<TestRecord<String, byte[]>> out = output.readRecordsToList();
    assertThat(new String(out.get(0).value(), StandardCharsets.UTF_8))
        .contains("\"traceId\":\"" + TraceIds.hex(t) + "\"");
    assertThat(outputSpans(out)).hasSize(1);
  }

  @Test
  void bigKeptTracesAreSplitAcrossRecords() {
    start("output: { max-record-bytes: 16KiB }\n", RULES);
    byte[] t = traceId(17);
    for (int i = 0; i < 40; i++) {
      send(request(resource("svc", "s", error(span(t, i + 2, 1, "s" + i, i, 1))
          .addAttributes(io.tailstream.testing.Spans.attr("blob", "y".repeat(1000))))));
    }
    advance(Duration.ofSeconds(31));
    List<TestRecord<String, byte[]>> out = output.readRecordsToList();
    assertThat(out.size()).isGreaterThan(2);
    assertThat(out).allMatch(r -> r.value().length <= 16 * 1024);
    assertThat(outputSpans(out)).extracting(Span::getName).hasSize(40).doesNotHaveDuplicates();
  }

  private static Map<String, String> decisionAttributes(Span span) {
    Map<String, String> out = new LinkedHashMap<>();
    span.getAttributesList().stream().filter(kv -> kv.getKey().startsWith("tailstream."))
        .forEach(kv -> out.put(kv.getKey(), switch (kv.getValue().getValueCase()) {
          case STRING_VALUE -> kv.getValue().getStringValue();
          case INT_VALUE -> Long.toString(kv.getValue().getIntValue());
          case DOUBLE_VALUE -> Double.toString(kv.getValue().getDoubleValue());
          default -> kv.getValue().toString();
        }));
    return out;
  }

  @Test
  void decisionAttributesGoOnTheRootSaySameAsTheHeadersAndSkipLateSpans() {
    start("output: { decision-attributes: root }\n", RULES);
    byte[] t = traceId(40);
    send(request(resource("worker", "jobs", span(t, 2, 1, "child", 5, 10))));
    send(request(resource("gateway", "http", error(span(t, 1, null, "root", 0, 30)))));
    advance(Duration.ofSeconds(6));
    List<TestRecord<String, byte[]>> kept = output.readRecordsToList();
    assertThat(kept).hasSize(1);
    List<Span> spans = outputSpans(kept);
    assertThat(spans).extracting(Span::getName).containsExactly("child", "root");
    assertThat(decisionAttributes(spans.get(0))).isEmpty();
    assertThat(decisionAttributes(spans.get(1))).containsExactly(
        Map.entry(DecisionAttributes.RULE, "errors"),
        Map.entry(DecisionAttributes.RULES_VERSION, header(kept.get(0), Headers.RULES_VERSION)),
        Map.entry(DecisionAttributes.ADJUSTED_COUNT, "1.0"),
        Map.entry(DecisionAttributes.DECISION_DELAY_MS, header(kept.get(0), Headers.DECISION_DELAY_MS)));

    send(request(resource("worker", "jobs", span(t, 3, 1, "late child", 40, 10))));
    List<Span> late = outputSpans(output.readRecordsToList());
    assertThat(late).extracting(Span::getName).containsExactly("late child");
    assertThat(decisionAttributes(late.get(0))).isEmpty();
  }

  @Test
  void decisionAttributesOnAllSpansOfARootlessTraceInOtlpJson() {
    start("encoding: otlp_json\noutput: { decision-attributes: all }\n", RULES);
    byte[] t = traceId(41);
    send(errorChild(t, 2, 0));
    send(errorChild(t, 3, 5));
    advance(Duration.ofSeconds(31));
    List<Span> spans = outputSpans(output.readRecordsToList());
    assertThat(spans).hasSize(2).allSatisfy(s -> assertThat(decisionAttributes(s))
        .containsEntry(DecisionAttributes.RULE, "errors").containsKey(DecisionAttributes.DECISION_DELAY_MS));
  }
}
