package io.tailstream.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Splits one OTLP request, which may mix many traces, into one fragment per trace. Each fragment
 * is a {@link TracesData} that keeps the spans under copies of their original Resource and Scope
 * (schema URLs included), so a trace can later be re-assembled exactly as it was sent.
 */
public final class TraceSplitter {
  private TraceSplitter() {}

  /**
   * The fragments of one request, in first-seen order, and the spans that have no valid trace id
   * (null when there are none).
   */
  public record Split(Map<ByteString, TracesData> fragments, ExportTraceServiceRequest invalid,
      int spanCount) {}

  public static Split split(ExportTraceServiceRequest request) {
    Map<ByteString, TracesData.Builder> traces = new LinkedHashMap<>();
    ExportTraceServiceRequest.Builder invalid = null;
    int spanCount = 0;
    for (ResourceSpans rs : request.getResourceSpansList()) {
      Map<ByteString, ResourceSpans.Builder> perTraceResource = new LinkedHashMap<>();
      ResourceSpans.Builder invalidResource = null;
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        Map<ByteString, ScopeSpans.Builder> perTraceScope = new LinkedHashMap<>();
        ScopeSpans.Builder invalidScope = null;
        for (Span span : ss.getSpansList()) {
          spanCount++;
          ByteString traceId = span.getTraceId();
          if (TraceIds.isValidTraceId(traceId)) {
            perTraceScope.computeIfAbsent(traceId, id -> emptyScope(ss)).addSpans(span);
          } else {
            if (invalidScope == null) {
              invalidScope = emptyScope(ss);
            }
            invalidScope.addSpans(span);
          }
        }
        perTraceScope.forEach((id, scope) ->
            perTraceResource.computeIfAbsent(id, x -> emptyResource(rs)).addScopeSpans(scope));
        if (invalidScope != null) {
          if (invalidResource == null) {
            invalidResource = emptyResource(rs);
          }
          invalidResource.addScopeSpans(invalidScope);
        }
      }
      perTraceResource.forEach((id, resource) ->
          traces.computeIfAbsent(id, x -> TracesData.newBuilder()).addResourceSpans(resource));
      if (invalidResource != null) {
        if (invalid == null) {
          invalid = ExportTraceServiceRequest.newBuilder();
        }
        invalid.addResourceSpans(invalidResource);
      }
    }
    Map<ByteString, TracesData> fragments = new LinkedHashMap<>();
    traces.forEach((id, builder) -> fragments.put(id, builder.build()));
    return new Split(fragments, invalid == null ? null : invalid.build(), spanCount);
  }

  // hasX checks keep an absent Resource/Scope absent instead of turning it into an empty one.
  private static ScopeSpans.Builder emptyScope(ScopeSpans original) {
    ScopeSpans.Builder b = ScopeSpans.newBuilder().setSchemaUrl(original.getSchemaUrl());
    return original.hasScope() ? b.setScope(original.getScope()) : b;
  }

  private static ResourceSpans.Builder emptyResource(ResourceSpans original) {
    ResourceSpans.Builder b = ResourceSpans.newBuilder().setSchemaUrl(original.getSchemaUrl());
    return original.hasResource() ? b.setResource(original.getResource()) : b;
  }
}
