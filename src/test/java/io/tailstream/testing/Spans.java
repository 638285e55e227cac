package io.tailstream.testing;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.List;
import java.util.Random;

/** Hand-built OTLP data for tests. */
public final class Spans {
  public static final long T0 = 1_700_000_000_000_000_000L;
  public static final long MS = 1_000_000L;

  private Spans() {}

  public static byte[] traceId(int n) {
    byte[] id = new byte[16];
    id[0] = 0x0a;
    for (int i = 0; i < 4; i++) {
      id[15 - i] = (byte) (n >>> (8 * i));
    }
    return id;
  }

  /** A trace id whose low 56 bits, the OTel randomness, are {@code r}. */
  public static byte[] traceIdWithRandomness(long r) {
    byte[] id = new byte[16];
    id[0] = 1;
    for (int i = 0; i < 7; i++) {
      id[15 - i] = (byte) (r >>> (8 * i));
    }
    return id;
  }

  public static byte[] randomTraceId(Random random) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    id[0] |= 1; // never all zero
    return id;
  }

  public static byte[] spanId(int n) {
    byte[] id = new byte[8];
    id[0] = 0x05;
    for (int i = 0; i < 4; i++) {
      id[7 - i] = (byte) (n >>> (8 * i));
    }
    return id;
  }

  /** A span; {@code parent} null makes it a root. */
  public static Span.Builder span(byte[] traceId, int spanId, Integer parent, String name,
      long startMs, long durationMs) {
    Span.Builder b = Span.newBuilder()
        .setTraceId(ByteString.copyFrom(traceId))
        .setSpanId(ByteString.copyFrom(spanId(spanId)))
        .setName(name)
        .setKind(Span.SpanKind.SPAN_KIND_INTERNAL)
        .setStartTimeUnixNano(T0 + startMs * MS)
        .setEndTimeUnixNano(T0 + (startMs + durationMs) * MS);
    if (parent != null) {
      b.setParentSpanId(ByteString.copyFrom(spanId(parent)));
    }
    return b;
  }

  public static Span.Builder error(Span.Builder span) {
    return span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
  }

  public static Span.Builder model(Span.Builder span, String model) {
    return span.addAttributes(attr("gen_ai.request.model", model));
  }

  public static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder().setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  public static ResourceSpans resource(String service, String scope, Span.Builder... spans) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName(scope).setVersion("1.0"))
        .setSchemaUrl("https://opentelemetry.io/schemas/1.21.0");
    for (Span.Builder s : spans) {
      ss.addSpans(s);
    }
    return ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", service)))
        .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0")
        .addScopeSpans(ss)
        .build();
  }

  public static ExportTraceServiceRequest request(ResourceSpans... resources) {
    return ExportTraceServiceRequest.newBuilder().addAllResourceSpans(List.of(resources)).build();
  }

  public static int spanCount(ExportTraceServiceRequest request) {
    return request.getResourceSpansList().stream()
        .flatMap(rs -> rs.getScopeSpansList().stream())
        .mapToInt(ScopeSpans::getSpansCount).sum();
  }

  public static List<Span> allSpans(ExportTraceServiceRequest request) {
    return request.getResourceSpansList().stream()
        .flatMap(rs -> rs.getScopeSpansList().stream())
        .flatMap(ss -> ss.getSpansList().stream())
        .toList();
  }
}
