package io.tailstream.otlp;

import static io.tailstream.testing.Spans.request;
import static io.tailstream.testing.Spans.resource;
import static io.tailstream.testing.Spans.span;
import static io.tailstream.testing.Spans.traceId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.workload.InferenceWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtoTraceSplitterTest {
  private final ProtoTraceSplitter splitter = new ProtoTraceSplitter();

  /** The reference: parse the request, regroup with builders, serialize. */
  private static Map<ByteString, TracesData> reference(ExportTraceServiceRequest request) {
    return TraceSplitter.split(request).fragments();
  }

  @Test
  void fragmentsAreTheBytesTheReferenceSplitterWrites() throws Exception {
    InferenceWorkload workload = new InferenceWorkload(5, 0.1, 0.1, 0.1);
    for (int round = 0; round < 50; round++) {
      ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
      for (int i = 0; i < 1 + round % 7; i++) {
        b.addAllResourceSpans(workload.next().resources());
      }
      ExportTraceServiceRequest request = b.build();
      ProtoTraceSplitter.Result result = splitter.split(request.toByteArray());
      Map<ByteString, TracesData> expected = reference(request);
      assertThat(result.fragments()).extracting(ProtoTraceSplitter.Fragment::traceId)
          .containsExactlyElementsOf(expected.keySet());
      for (ProtoTraceSplitter.Fragment f : result.fragments()) {
        TracesData want = expected.get(f.traceId());
        assertThat(f.encoded()).isEqualTo(want.toByteArray());
        assertThat(TracesData.parseFrom(f.encoded())).isEqualTo(want);
        // The parsed view has the same spans and resources (schema URLs are not needed for facts).
        assertThat(spansOf(f.parsed())).isEqualTo(spansOf(want));
        assertThat(f.parsed().getResourceSpans(0).getResource())
            .isEqualTo(want.getResourceSpans(0).getResource());
      }
      assertThat(result.spanCount()).isEqualTo(io.tailstream.testing.Spans.spanCount(request));
      assertThat(result.invalid()).isNull();
    }
  }

  @Test
  void spansWithoutAValidTraceIdGoToTheInvalidRequestUnderTheirResource() throws Exception {
    ExportTraceServiceRequest request = request(
        resource("ranker", "scope", span(traceId(1), 1, null, "root", 0, 10),
            span(new byte[16], 2, 1, "zero id", 0, 5),
            span(new byte[3], 3, 1, "short id", 0, 5)));
    ProtoTraceSplitter.Result result = splitter.split(request.toByteArray());
    assertThat(result.fragments()).hasSize(1);
    assertThat(result.invalidSpans()).isEqualTo(2);
    ExportTraceServiceRequest invalid = ExportTraceServiceRequest.parseFrom(result.invalid());
    assertThat(invalid).isEqualTo(TraceSplitter.split(request).invalid());
  }

  @Test
  void keepsAnAbsentResourceAbsentAndAnEmptyOneEmpty() throws Exception {
    ResourceSpans noResource = resource("x", "scope", span(traceId(1), 1, null, "a", 0, 1))
        .toBuilder().clearResource().build();
    ResourceSpans emptyResource = resource("x", "scope", span(traceId(2), 1, null, "b", 0, 1))
        .toBuilder().setResource(io.opentelemetry.proto.resource.v1.Resource.getDefaultInstance()).build();
    ExportTraceServiceRequest request = request(noResource, emptyResource);
    List<ProtoTraceSplitter.Fragment> fragments = splitter.split(request.toByteArray()).fragments();
    assertThat(TracesData.parseFrom(fragments.get(0).encoded()).getResourceSpans(0).hasResource()).isFalse();
    assertThat(TracesData.parseFrom(fragments.get(1).encoded()).getResourceSpans(0).hasResource()).isTrue();
    assertThat(fragments.get(0).encoded()).isEqualTo(reference(request).get(fragments.get(0).traceId()).toByteArray());
  }

  @Test
  void refusesWhatIsNotARequest() {
    assertThatThrownBy(() -> splitter.split(new byte[] {0x0a, 0x7f, 0x01}))
        .isInstanceOf(OtlpDecodeException.class)
        .hasMessageContaining("not an otlp_proto ExportTraceServiceRequest");
    assertThatThrownBy(() -> splitter.split(new byte[] {0x18, 0x01})) // field 3 varint only
        .isInstanceOf(OtlpDecodeException.class)
        .hasMessageContaining("only unknown fields");
    assertThatThrownBy(() -> splitter.split(null)).isInstanceOf(OtlpDecodeException.class);
  }

  @Test
  void anEmptyRequestHasNoFragments() throws Exception {
    ProtoTraceSplitter.Result result = splitter.split(new byte[0]);
    assertThat(result.fragments()).isEmpty();
    assertThat(result.spanCount()).isZero();
  }

  private static List<String> spansOf(TracesData data) {
    List<String> out = new ArrayList<>();
    data.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss ->
        ss.getSpansList().forEach(s -> out.add(s.toString()))));
    return out;
  }
}
