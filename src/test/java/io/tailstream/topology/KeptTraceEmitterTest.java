package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.config.AttributeScope;
import io.tailstream.decide.Decider;
import io.tailstream.decide.Decision;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.TraceAssembler;
import io.tailstream.testing.Spans;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

/**
 * What kept spans' tracestate says after the emitter (thresholds per span, never lowered), and
 * where the decision attributes land in each encoding.
 */
class KeptTraceEmitterTest {
  private static final byte[] T = Spans.traceId(3);
  private static final long TEN_PERCENT = Decider.thresholdFor(0.1);

  private static List<Span> emit(Decision decision, String... traceStates) throws Exception {
    List<byte[]> fragments = new ArrayList<>();
    for (int i = 0; i < traceStates.length; i++) {
      fragments.add(TracesData.newBuilder().addResourceSpans(Spans.resource("svc", "scope",
          Spans.span(T, i + 1, null, "s" + i, 0, 5).setTraceState(traceStates[i]))).build()
          .toByteArray());
    }
    MockProcessorContext<String, byte[]> context = new MockProcessorContext<>(new Properties());
    context.setCurrentSystemTimeMs(0);
    boolean emitted = new KeptTraceEmitter(new TraceAssembler(OtlpCodec.of(Encoding.OTLP_PROTO),
        1 << 20), new DecisionAttributes(AttributeScope.OFF), new TailstreamMetrics(), 1 << 20).emit(context, Bytes.wrap(T), fragments,
        traceStates.length, decision, 0, true);
    assertThat(emitted).isTrue();
    List<Span> spans = new ArrayList<>();
    for (var forwarded : context.forwarded()) {
      spans.addAll(Spans.allSpans(ExportTraceServiceRequest.parseFrom(forwarded.record().value())));
    }
    return spans;
  }

  private static List<String> states(List<Span> spans) {
    return spans.stream().map(Span::getTraceState).toList();
  }

  @Test
  void aSampledKeepRaisesEachSpanToItsThresholdAndNeverLowersAHigherOne() throws Exception {
    // A late span head-sampled at 0.1% comes after the trace was decided at 10%.
    List<Span> spans = emit(Decision.keepSampled("baseline", TEN_PERCENT, "v"),
        "vendor=a", "ot=th:8;rv:0123456789abcd", "ot=th:ffbe76c8b43958");
    assertThat(states(spans)).containsExactly(
        "ot=th:e6666666666668,vendor=a",
        "ot=th:e6666666666668;rv:0123456789abcd",
        "ot=th:ffbe76c8b43958");
  }

  @Test
  void aKeepOfUnknownProbabilityErasesEveryThreshold() throws Exception {
    List<Span> spans = emit(Decision.keepErasingThreshold("capped", "v"),
        "ot=th:8;rv:0123456789abcd,vendor=a", "vendor=a,ot=th:c", "ot=th:zz", "vendor=b");
    assertThat(states(spans)).containsExactly(
        "ot=rv:0123456789abcd,vendor=a", "vendor=a", "", "vendor=b");
  }

  @Test
  void aDeterministicKeepLeavesTracestateAsItCame() throws Exception {
    List<Span> spans = emit(Decision.keep("errors", "v"), "ot=th:8", "vendor=a");
    assertThat(states(spans)).containsExactly("ot=th:8", "vendor=a");
  }

  private static final byte[] CHILDREN = TracesData.newBuilder().addResourceSpans(Spans.resource("svc",
      "scope", Spans.span(T, 2, 1, "child", 1, 5))).build().toByteArray();
  private static final byte[] ROOT = TracesData.newBuilder().addResourceSpans(Spans.resource("svc",
      "scope", Spans.span(T, 1, null, "root", 0, 10))).build().toByteArray();

  /** The records a kept trace of CHILDREN then ROOT goes out as. */
  private static List<byte[]> records(Encoding encoding, AttributeScope scope, Decision decision,
      boolean late) {
    MockProcessorContext<String, byte[]> context = new MockProcessorContext<>(new Properties());
    context.setCurrentSystemTimeMs(0);
    new KeptTraceEmitter(new TraceAssembler(OtlpCodec.of(encoding), 1 << 20), new DecisionAttributes(scope),
        new TailstreamMetrics(), 1 << 20).emit(context, Bytes.wrap(T), List.of(CHILDREN, ROOT), 2,
        decision, 25, late);
    return context.forwarded().stream().<byte[]>map(f -> f.record().value()).toList();
  }

  private static List<Span> decoded(Encoding encoding, List<byte[]> records) throws Exception {
    List<Span> spans = new ArrayList<>();
    for (byte[] r : records) {
      spans.addAll(Spans.allSpans(OtlpCodec.of(encoding).decode(r).request()));
    }
    return spans;
  }

  private static List<String> keys(Span span) {
    return span.getAttributesList().stream().map(kv -> kv.getKey()).toList();
  }

  @Test
  void offWritesExactlyTheBytesItWroteBeforeTheOptionInBothEncodings() throws Exception {
    for (Encoding encoding : Encoding.values()) {
      List<byte[]> off = records(encoding, AttributeScope.OFF, Decision.keep("errors", "v"), false);
      List<byte[]> unchanged = new TraceAssembler(OtlpCodec.of(encoding), 1 << 20)
          .passThrough(List.of(CHILDREN, ROOT), new ArrayList<>());
      assertThat(off).as(encoding.toString()).hasSize(1);
      assertThat(off.get(0)).as(encoding.toString()).isEqualTo(unchanged.get(0));
    }
    byte[] proto = records(Encoding.OTLP_PROTO, AttributeScope.OFF, Decision.keep("errors", "v"), false).get(0);
    assertThat(proto).as("otlp_proto: the buffered bytes, concatenated")
        .isEqualTo(concat(CHILDREN, ROOT));
  }

  @Test
  void rootStampsTheRootSpanInBothEncodings() throws Exception {
    for (Encoding encoding : Encoding.values()) {
      List<Span> spans = decoded(encoding, records(encoding, AttributeScope.ROOT,
          Decision.keep("errors", "v"), false));
      assertThat(spans).extracting(Span::getName).as(encoding.toString()).containsExactly("child", "root");
      assertThat(keys(spans.get(0))).as(encoding.toString()).isEmpty();
      assertThat(keys(spans.get(1))).as(encoding.toString()).containsExactly(DecisionAttributes.RULE,
          DecisionAttributes.RULES_VERSION, DecisionAttributes.ADJUSTED_COUNT,
          DecisionAttributes.DECISION_DELAY_MS);
      assertThat(spans.get(1).getAttributes(3).getValue().getIntValue()).isEqualTo(25);
    }
  }

  @Test
  void inOtlpProtoOnlyTheRootsFragmentIsReencoded() throws Exception {
    byte[] out = records(Encoding.OTLP_PROTO, AttributeScope.ROOT, Decision.keep("errors", "v"), false).get(0);

    assertThat(Arrays.copyOf(out, CHILDREN.length)).as("the children's bytes as buffered").isEqualTo(CHILDREN);
    assertThat(out.length).isGreaterThan(CHILDREN.length + ROOT.length);
  }

  @Test
  void allStampsEverySpanAndASampledKeepRewritesThresholdsToo() throws Exception {
    Decision tenPercent = Decision.keepSampled("baseline", TEN_PERCENT, "v");
    for (Encoding encoding : Encoding.values()) {
      List<Span> spans = decoded(encoding, records(encoding, AttributeScope.ALL, tenPercent, false));
      assertThat(spans).as(encoding.toString()).allSatisfy(s -> {
        assertThat(keys(s)).contains(DecisionAttributes.RULE, DecisionAttributes.ADJUSTED_COUNT);
        assertThat(s.getTraceState()).isEqualTo("ot=th:e6666666666668");
        assertThat(s.getAttributes(2).getValue().getDoubleValue()).isEqualTo(10);
      });
    }
  }

  @Test
  void lateSpansGoOutWithoutAttributes() throws Exception {
    List<byte[]> late = records(Encoding.OTLP_PROTO, AttributeScope.ALL, Decision.keep("errors", "v"), true);

    assertThat(late).containsExactly(concat(CHILDREN, ROOT));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
