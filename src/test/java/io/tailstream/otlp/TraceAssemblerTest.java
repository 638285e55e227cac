package io.tailstream.otlp;

import static io.tailstream.testing.Spans.allSpans;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.testing.Spans;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class TraceAssemblerTest {
  private static final byte[] A = Spans.traceId(1);

  private static List<TracesData> fragmentsOfA() {
    // Two records each carrying part of trace A from the same two services.
    TracesData first = TraceSplitter.split(TraceSplitterTest.mixed()).fragments()
        .get(ByteString.copyFrom(A));
    TracesData second = TracesData.newBuilder().addResourceSpans(Spans.resource("model-server",
        "inference", Spans.span(A, 9, 1, "infer late", 60, 5))).build();
    return List.of(first, second);
  }

  @Test
  void regroupsFragmentsUnderOneResourceAndScope() throws Exception {
    TraceAssembler assembler = new TraceAssembler(OtlpCodec.of(Encoding.OTLP_PROTO), 1 << 20);
    List<byte[]> records = assembler.assemble(fragmentsOfA(), UnaryOperator.identity(), new ArrayList<>());
    assertThat(records).hasSize(1);
    ExportTraceServiceRequest out = ExportTraceServiceRequest.parseFrom(records.get(0));
    assertThat(out.getResourceSpansCount()).isEqualTo(2);
    ResourceSpans model = out.getResourceSpans(1);
    assertThat(model.getScopeSpansCount()).isEqualTo(1);
    assertThat(model.getScopeSpans(0).getSpansList()).extracting(Span::getName)
        .containsExactly("infer ranker", "infer embedder", "infer late");
  }

  @Test
  void splitsBigTracesAcrossRecordsWithoutLosingOrRepeatingSpans() throws Exception {
    List<TracesData> fragments = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      Span.Builder s = Spans.span(A, i + 2, 1, "span-" + i, i, 1)
          .addAttributes(Spans.attr("payload", "x".repeat(200)));
      fragments.add(TracesData.newBuilder()
          .addResourceSpans(Spans.resource(i % 2 == 0 ? "a" : "b", "s", s)).build());
    }
    for (Encoding encoding : Encoding.values()) {
      OtlpCodec codec = OtlpCodec.of(encoding);
      TraceAssembler assembler = new TraceAssembler(codec, 16 * 1024);
      List<byte[]> records = assembler.assemble(fragments, UnaryOperator.identity(), new ArrayList<>());
      assertThat(records.size()).isGreaterThan(4);
      List<String> names = new ArrayList<>();
      for (byte[] r : records) {
        assertThat(r.length).isLessThanOrEqualTo(16 * 1024);
        allSpans(codec.decode(r).request()).forEach(s -> names.add(s.getName()));
      }
      assertThat(names).hasSize(400).doesNotHaveDuplicates();
    }
  }

  @Test
  void aSpanTooBigOnItsOwnIsShortenedNotLost() throws Exception {
    Span.Builder huge = Spans.span(A, 2, 1, "huge", 0, 1)
        .addAttributes(Spans.attr("prompt", "p".repeat(2_000_000)))
        .addAttributes(Spans.attr("small", "kept as is"))
        .addEvents(Span.Event.newBuilder().setName("exception")
            .addAttributes(Spans.attr("exception.stacktrace", "s".repeat(500_000))))
        .build().toBuilder();
    TracesData fragment = TracesData.newBuilder().addResourceSpans(Spans.resource("svc", "s", huge)).build();
    TraceAssembler assembler = new TraceAssembler(OtlpCodec.of(Encoding.OTLP_PROTO), 64 * 1024);
    List<byte[]> records = assembler.assemble(List.of(fragment), UnaryOperator.identity(), new ArrayList<>());
    assertThat(records).hasSize(1);
    assertThat(records.get(0).length).isLessThanOrEqualTo(64 * 1024);
    Span out = allSpans(ExportTraceServiceRequest.parseFrom(records.get(0))).get(0);
    assertThat(out.getName()).isEqualTo("huge");
    assertThat(out.getAttributesList()).anySatisfy(kv -> {
      assertThat(kv.getKey()).isEqualTo("small");
      assertThat(kv.getValue().getStringValue()).isEqualTo("kept as is");
    });
    assertThat(out.getAttributesList()).anySatisfy(kv -> assertThat(kv.getKey()).isEqualTo("tailstream.truncated"));
    assertThat(out.getEvents(0).getAttributes(0).getValue().getStringValue()).hasSizeLessThan(5_000);
  }

  @Test
  void appliesTheRewriteToEverySpan() throws Exception {
    TraceAssembler assembler = new TraceAssembler(OtlpCodec.of(Encoding.OTLP_PROTO), 1 << 20);
    List<byte[]> records = assembler.assemble(fragmentsOfA(),
        s -> s.toBuilder().setTraceState("ot=th:8").build(), new ArrayList<>());
    assertThat(allSpans(ExportTraceServiceRequest.parseFrom(records.get(0))))
        .hasSize(4).allMatch(s -> s.getTraceState().equals("ot=th:8"));
  }

  @Test
  void passThroughConcatenatesTheFragmentsBytesUnchanged() throws Exception {
    TraceAssembler assembler = new TraceAssembler(OtlpCodec.of(Encoding.OTLP_PROTO), 1 << 20);
    List<byte[]> fragments = fragmentsOfA().stream().map(TracesData::toByteArray).toList();
    List<byte[]> records = assembler.passThrough(fragments, new ArrayList<>());
    assertThat(records).hasSize(1);
    byte[] expected = new byte[fragments.get(0).length + fragments.get(1).length];
    System.arraycopy(fragments.get(0), 0, expected, 0, fragments.get(0).length);
    System.arraycopy(fragments.get(1), 0, expected, fragments.get(0).length, fragments.get(1).length);
    assertThat(records.get(0)).isEqualTo(expected);
    ExportTraceServiceRequest out = ExportTraceServiceRequest.parseFrom(records.get(0));
    List<String> all = new ArrayList<>();
    allSpans(out).forEach(span -> all.add(span.getName()));
    List<String> want = new ArrayList<>();
    fragmentsOfA().forEach(f -> f.getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
        .forEach(ss -> ss.getSpansList().forEach(span -> want.add(span.getName())))));
    assertThat(all).isEqualTo(want);
  }

  @Test
  void passThroughFallsBackToAssemblingForJsonAndForTracesOverTheLimit() throws Exception {
    List<byte[]> fragments = fragmentsOfA().stream().map(TracesData::toByteArray).toList();
    OtlpCodec json = OtlpCodec.of(Encoding.OTLP_JSON);
    assertThat(new TraceAssembler(json, 1 << 20).passThrough(fragments, new ArrayList<>()))
        .containsExactlyElementsOf(new TraceAssembler(json, 1 << 20).assemble(fragmentsOfA(), UnaryOperator.identity(), new ArrayList<>()));
    int total = fragments.get(0).length + fragments.get(1).length;
    TraceAssembler small = new TraceAssembler(OtlpCodec.of(Encoding.OTLP_PROTO), total - 1);
    List<byte[]> records = small.passThrough(fragments, new ArrayList<>());
    for (byte[] r : records) {
      assertThat(r.length).isLessThan(total);
    }
    assertThat(records.stream().mapToInt(r -> {
      try {
        return allSpans(ExportTraceServiceRequest.parseFrom(r)).size();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }).sum()).isEqualTo(4); // trace A: three spans in the mixed request, one late

  }

  /** Spans that stage one (long values cut, events dropped) cannot bring under the limit. */
  enum Oversized {
    NAME, STATUS_MESSAGE, MANY_SMALL_ATTRIBUTES, RESOURCE, SCOPE;

    ResourceSpans build() {
      Span.Builder span = Spans.span(A, 2, 1, "op", 0, 1);
      String big = "x".repeat(2_000_000);
      switch (this) {
        case NAME -> span.setName(big);
        case STATUS_MESSAGE -> span.setStatus(io.opentelemetry.proto.trace.v1.Status.newBuilder()
            .setCode(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR).setMessage(big));
        case MANY_SMALL_ATTRIBUTES -> {
          for (int i = 0; i < 20_000; i++) {
            span.addAttributes(Spans.attr("attribute." + i, "value " + i));
          }
        }
        default -> { }
      }
      ResourceSpans.Builder rs = Spans.resource("svc", "scope", span).toBuilder();
      if (this == RESOURCE) {
        var resource = rs.getResourceBuilder();
        resource.addAttributes(Spans.attr("host.description", big));
        for (int i = 0; i < 20_000; i++) {
          resource.addAttributes(Spans.attr("label." + i, "value " + i));
        }
      }
      if (this == SCOPE) {
        rs.getScopeSpansBuilder(0).getScopeBuilder().setName(big).setVersion(big);
      }
      return rs.build();
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(Oversized.class)
  void aSpanStillTooBigAfterItsValuesAreCutIsCutFurtherUntilItFits(Oversized kind) throws Exception {
    for (Encoding encoding : Encoding.values()) {
      OtlpCodec codec = OtlpCodec.of(encoding);
      TracesData fragment = TracesData.newBuilder().addResourceSpans(kind.build()).build();
      TraceAssembler assembler = new TraceAssembler(codec, 64 * 1024);
      List<TraceAssembler.Unfit> unfit = new ArrayList<>();
      List<byte[]> records = assembler.assemble(List.of(fragment), UnaryOperator.identity(), unfit);
      assertThat(unfit).as(kind + " in " + encoding).isEmpty();
      assertThat(records).hasSize(1);
      assertThat(records.get(0).length).as(kind + " in " + encoding).isLessThanOrEqualTo(64 * 1024);
      Span out = allSpans(codec.decode(records.get(0)).request()).get(0);
      assertThat(out.getTraceId()).isEqualTo(ByteString.copyFrom(A));
      assertThat(out.getSpanId()).isEqualTo(ByteString.copyFrom(Spans.spanId(2)));
      assertThat(out.getAttributesList()).anySatisfy(kv -> assertThat(kv.getKey()).isEqualTo("tailstream.truncated"));
    }
  }

  @Test
  void aSpanThatFitsNoRecordEvenCutIsHandedBackNotWritten() {
    TracesData fragment = TracesData.newBuilder().addResourceSpans(Oversized.NAME.build())
        .addResourceSpans(Spans.resource("svc", "scope", Spans.span(A, 3, 1, "small", 0, 1))).build();
    // A limit below what even the ids and times of one span take.
    TraceAssembler assembler = new TraceAssembler(OtlpCodec.of(Encoding.OTLP_PROTO), 40);
    List<TraceAssembler.Unfit> unfit = new ArrayList<>();
    List<byte[]> records = assembler.assemble(List.of(fragment), UnaryOperator.identity(), unfit);
    assertThat(records).isEmpty();
    assertThat(unfit).hasSize(2);
    assertThat(unfit.get(0).originalBytes()).isGreaterThan(2_000_000);
    assertThat(unfit.get(0).encoded().length).isLessThan(8 * 1024);
    assertThat(unfit.get(0).reason()).contains("does not fit output.max-record-bytes (40)");
  }
}
