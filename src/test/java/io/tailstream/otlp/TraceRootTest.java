package io.tailstream.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.testing.Spans;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceRootTest {
  private static final byte[] T = Spans.traceId(7);

  private static byte[] fragment(ResourceSpans... resources) {
    TracesData.Builder b = TracesData.newBuilder();
    for (ResourceSpans rs : resources) {
      b.addResourceSpans(rs);
    }
    return b.build().toByteArray();
  }

  private static Span.Builder child(int id, long startMs) {
    return Spans.span(T, id, 1, "child" + id, startMs, 5);
  }

  @Test
  void theRootIsFoundByItsPositionAcrossFragmentsResourcesAndScopes() throws Exception {
    byte[] first = fragment(Spans.resource("a", "s", child(2, 10), child(3, 20)));
    byte[] second = fragment(
        Spans.resource("a", "s", child(4, 30)),
        Spans.resource("b", "s", child(5, 40), Spans.span(T, 1, null, "root", 50, 100)));

    assertThat(TraceRoot.find(List.of(first, second))).isEqualTo(new TraceRoot.Location(1, 2, true));
  }

  @Test
  void withoutARootTheEarliestSpanStandsForTheTrace() throws Exception {
    byte[] first = fragment(Spans.resource("a", "s", child(2, 30), child(3, 20)));
    byte[] second = fragment(Spans.resource("a", "s", child(4, 5), child(5, 5)));

    assertThat(TraceRoot.find(List.of(first, second)))
        .as("the first of two that started together").isEqualTo(new TraceRoot.Location(1, 0, false));
  }

  @Test
  void anEmptyParentIdIsARootAsProto3ReadsIt() throws Exception {
    byte[] f = fragment(Spans.resource("a", "s", child(2, 0),
        Spans.span(T, 1, null, "root", 10, 5).setParentSpanId(ByteString.EMPTY)));

    assertThat(TraceRoot.find(List.of(f))).isEqualTo(new TraceRoot.Location(0, 1, true));
  }

  @Test
  void startTimesCompareAsUnsignedNanoseconds() throws Exception {
    // A start time past 2262 is negative as a long; it is still the later one.
    byte[] f = fragment(Spans.resource("a", "s",
        child(2, 0).setStartTimeUnixNano(-1L), child(3, 0).setStartTimeUnixNano(1L)));

    assertThat(TraceRoot.find(List.of(f))).isEqualTo(new TraceRoot.Location(0, 1, false));
  }

  @Test
  void fragmentsWithoutSpansHaveNoRoot() throws Exception {
    byte[] empty = fragment(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()).build());

    assertThat(TraceRoot.find(List.of())).isNull();
    assertThat(TraceRoot.find(List.of(empty, new byte[0]))).isNull();
  }

  @Test
  void bytesThatAreNotTracesDataAreRefused() {
    byte[] truncated = Arrays.copyOf(fragment(Spans.resource("a", "s", child(2, 0))), 20);

    assertThatThrownBy(() -> TraceRoot.find(List.of(truncated)))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }
}
