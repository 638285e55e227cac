package io.tailstream.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class OtlpJsonCodecTest {
  private static final OtlpCodec JSON = OtlpCodec.of(Encoding.OTLP_JSON);
  private static final String TRACE = "5b8efff798038103d269b633813fc60c";

  private static ExportTraceServiceRequest decode(String json) throws OtlpDecodeException {
    OtlpCodec.Decoded d = JSON.decode(json.getBytes(StandardCharsets.UTF_8));
    assertThat(d.idProblems()).isEmpty();
    return d.request();
  }

  @Test
  void collectorSpelling() throws Exception {
    ExportTraceServiceRequest r = decode("""
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"ranker"}}]},
          "scopeSpans":[{"scope":{"name":"lib"},"spans":[{"traceId":"%s","spanId":"eee19b7ec3c1b174",
          "parentSpanId":"","name":"infer","kind":2,"startTimeUnixNano":"1544712660000000000",
          "endTimeUnixNano":"1544712661000000000","status":{"code":2},
          "attributes":[{"key":"n","value":{"intValue":"42"}}]}]}]}]}
        """.formatted(TRACE));
    Span span = r.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(span.getTraceId()).isEqualTo(ByteString.copyFrom(HexFormat.of().parseHex(TRACE)));
    assertThat(span.getSpanId().size()).isEqualTo(8);
    assertThat(span.getParentSpanId().isEmpty()).isTrue();
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(span.getStartTimeUnixNano()).isEqualTo(1544712660000000000L);
    assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(span.getAttributes(0).getValue().getIntValue()).isEqualTo(42);
  }

  @Test
  void otherSdkSpellings() throws Exception {
    // snake_case names, int64 as JSON numbers, enums by name, uppercase hex, unknown fields,
    // explicit default values.
    ExportTraceServiceRequest r = decode("""
        {"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":"%s","span_id":"EEE19B7EC3C1B174",
          "name":"x","kind":"SPAN_KIND_CLIENT","start_time_unix_nano":1544712660000000000,
          "end_time_unix_nano":1544712661000000000,"status":{"code":"STATUS_CODE_OK","message":""},
          "dropped_attributes_count":0,"someFutureField":{"a":1}}]}]}]}
        """.formatted(TRACE.toUpperCase()));
    Span span = r.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(TraceIds.hex(span.getTraceId())).isEqualTo(TRACE);
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(span.getEndTimeUnixNano()).isEqualTo(1544712661000000000L);
    assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_OK);
  }

  @Test
  void badHexLeavesTheSpanWithoutTraceIdAndSaysWhy() throws Exception {
    OtlpCodec.Decoded d = JSON.decode("""
        {"resourceSpans":[{"scopeSpans":[{"spans":[
          {"traceId":"%s","spanId":"eee19b7ec3c1b174","name":"good"},
          {"traceId":"not-hex-at-all","spanId":"eee19b7ec3c1b174","name":"bad"}]}]}]}
        """.formatted(TRACE).getBytes(StandardCharsets.UTF_8));
    assertThat(d.idProblems()).contains("span 'bad'").contains("traceId 'not-hex-at-all' is not hex");
    var spans = d.request().getResourceSpans(0).getScopeSpans(0).getSpansList();
    assertThat(spans.get(0).getTraceId().size()).isEqualTo(16);
    assertThat(spans.get(1).getTraceId().isEmpty()).isTrue();
  }

  @Test
  void rejectsWhatIsNotOtlpJson() {
    assertThatThrownBy(() -> JSON.decode(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00}))
        .isInstanceOf(OtlpDecodeException.class).hasMessageContaining("not UTF-8");
    assertThatThrownBy(() -> JSON.decode("[1,2]".getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("expected a JSON object");
    assertThatThrownBy(() -> JSON.decode("{\"resourceSpans\": 5".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OtlpDecodeException.class);
    assertThatThrownBy(() -> JSON.decode("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"yesterday\"}]}]}]}"
        .getBytes(StandardCharsets.UTF_8))).isInstanceOf(OtlpDecodeException.class);
    assertThatThrownBy(() -> JSON.decode(null)).hasMessageContaining("no value");
  }

  @Test
  void encodesWithHexIdsAndIntegerEnumsAndRoundTrips() throws Exception {
    ExportTraceServiceRequest original = TraceSplitterTest.mixed();
    byte[] json = JSON.encode(original);
    String text = new String(json, StandardCharsets.UTF_8);
    assertThat(text).contains("\"traceId\":\"0a00000000000000000000000000000" + "1\"")
        .contains("\"kind\":1").doesNotContain("SPAN_KIND");
    assertThat(JSON.decode(json).request()).isEqualTo(original);
  }

  @Test
  void protoCodecRejectsGarbageAndJson() {
    OtlpCodec proto = OtlpCodec.of(Encoding.OTLP_PROTO);
    assertThatThrownBy(() -> proto.decode("{\"resourceSpans\":[]}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OtlpDecodeException.class);
    assertThatThrownBy(() -> proto.decode("hello world, not protobuf".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OtlpDecodeException.class).hasMessageContaining("otlp_proto");
    byte[] truncated = TraceSplitterTest.mixed().toByteArray();
    byte[] cut = java.util.Arrays.copyOf(truncated, truncated.length - 7);
    assertThatThrownBy(() -> proto.decode(cut)).isInstanceOf(OtlpDecodeException.class);
  }
}
