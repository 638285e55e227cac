package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.decide.Decider;
import io.tailstream.decide.Decision;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.TraceAssembler;
import io.tailstream.testing.Spans;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;

/** What kept spans' tracestate says after the emitter: thresholds per span, never lowered. */
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
        1 << 20), new TailstreamMetrics(), 1 << 20).emit(context, Bytes.wrap(T), fragments,
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
}
