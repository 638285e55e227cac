package io.tailstream.otlp;

import static io.tailstream.testing.Spans.request;
import static io.tailstream.testing.Spans.resource;
import static io.tailstream.testing.Spans.span;
import static io.tailstream.testing.Spans.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceSplitterTest {
  private static final byte[] A = traceId(1);
  private static final byte[] B = traceId(2);

  /** Two services, two scopes in one of them, two traces interleaved in every scope. */
  static ExportTraceServiceRequest mixed() {
    ResourceSpans gateway = resource("gateway", "http", span(A, 1, null, "POST /predict", 0, 100),
        span(B, 1, null, "POST /predict", 0, 90));
    ResourceSpans model = resource("model-server", "inference",
        span(A, 2, 1, "infer ranker", 10, 50), span(B, 2, 1, "infer ranker", 10, 40),
        span(A, 3, 1, "infer embedder", 20, 30));
    ResourceSpans twoScopes = model.toBuilder().addScopeSpans(ScopeSpans.newBuilder()
        .setScope(model.getScopeSpans(0).getScope().toBuilder().setName("grpc"))
        .addSpans(span(B, 4, 1, "grpc call", 12, 5))).build();
    return request(gateway, twoScopes);
  }

  @Test
  void groupsSpansPerTraceUnderTheirResourceAndScope() {
    TraceSplitter.Split split = TraceSplitter.split(mixed());
    assertThat(split.spanCount()).isEqualTo(6);
    assertThat(split.invalid()).isNull();
    assertThat(split.fragments().keySet())
        .containsExactly(ByteString.copyFrom(A), ByteString.copyFrom(B));

    TracesData a = split.fragments().get(ByteString.copyFrom(A));
    assertThat(a.getResourceSpansCount()).isEqualTo(2);
    assertThat(names(a.getResourceSpans(0))).containsExactly("POST /predict");
    assertThat(names(a.getResourceSpans(1))).containsExactly("infer ranker", "infer embedder");
    assertThat(a.getResourceSpans(1).getResource()).isEqualTo(mixed().getResourceSpans(1).getResource());
    assertThat(a.getResourceSpans(1).getSchemaUrl()).isEqualTo("https://opentelemetry.io/schemas/1.24.0");
    assertThat(a.getResourceSpans(1).getScopeSpans(0).getScope().getName()).isEqualTo("inference");
    assertThat(a.getResourceSpans(1).getScopeSpans(0).getSchemaUrl())
        .isEqualTo("https://opentelemetry.io/schemas/1.21.0");

    TracesData b = split.fragments().get(ByteString.copyFrom(B));
    ResourceSpans bModel = b.getResourceSpans(1);
    assertThat(bModel.getScopeSpansCount()).isEqualTo(2);
    assertThat(bModel.getScopeSpans(1).getScope().getName()).isEqualTo("grpc");
    assertThat(bModel.getScopeSpans(1).getSpans(0).getName()).isEqualTo("grpc call");
  }

  @Test
  void spansWithoutAValidTraceIdAreSetAsideWithTheirResource() {
    ResourceSpans rs = resource("svc", "s",
        span(A, 1, null, "ok", 0, 1),
        Span.newBuilder().setName("no id"),
        span(new byte[16], 2, null, "all zero", 0, 1),
        Span.newBuilder().setName("short").setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3})));
    TraceSplitter.Split split = TraceSplitter.split(request(rs));
    assertThat(split.fragments()).hasSize(1);
    assertThat(split.invalid().getResourceSpans(0).getResource()).isEqualTo(rs.getResource());
    assertThat(split.invalid().getResourceSpans(0).getScopeSpans(0).getSpansList())
        .extracting(Span::getName).containsExactly("no id", "all zero", "short");
  }

  @Test
  void absentResourceAndScopeStayAbsent() {
    ExportTraceServiceRequest r = ExportTraceServiceRequest.newBuilder().addResourceSpans(
        ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(span(A, 1, null, "bare", 0, 1)))).build();
    TracesData a = TraceSplitter.split(r).fragments().get(ByteString.copyFrom(A));
    assertThat(a.getResourceSpans(0).hasResource()).isFalse();
    assertThat(a.getResourceSpans(0).getScopeSpans(0).hasScope()).isFalse();
  }

  private static List<String> names(ResourceSpans rs) {
    return rs.getScopeSpansList().stream().flatMap(ss -> ss.getSpansList().stream())
        .map(Span::getName).toList();
  }
}
