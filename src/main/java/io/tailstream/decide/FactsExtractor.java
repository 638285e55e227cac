package io.tailstream.decide;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.otlp.OtelTraceState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Computes the {@link TraceFacts} of one fragment in a single pass over its spans. Which span
 * attributes name a model comes from the compiled rules.
 */
public final class FactsExtractor {
  static final String SERVICE_NAME = "service.name";

  private final Set<String> modelAttributes;

  public FactsExtractor(Set<String> modelAttributes) {
    this.modelAttributes = Set.copyOf(modelAttributes);
  }

  public TraceFacts extract(TracesData fragment, long encodedBytes) {
    int spans = 0;
    long minStart = Long.MAX_VALUE;
    long maxEnd = 0;
    boolean root = false;
    boolean error = false;
    long randomness = OtelTraceState.ABSENT;
    long threshold = OtelTraceState.ABSENT;
    Map<String, Long> models = Map.of();
    Set<String> services = new HashSet<>(2);
    for (ResourceSpans rs : fragment.getResourceSpansList()) {
      String service = stringAttribute(rs.getResource().getAttributesList(), SERVICE_NAME);
      if (service != null) {
        services.add(service);
      }
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          spans++;
          minStart = Math.min(minStart, span.getStartTimeUnixNano());
          maxEnd = Math.max(maxEnd, span.getEndTimeUnixNano());
          root |= span.getParentSpanId().isEmpty();
          error |= span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR;
          if (!span.getTraceState().isEmpty()) {
            if (randomness == OtelTraceState.ABSENT) {
              randomness = OtelTraceState.randomness(span.getTraceState());
            }
            threshold = Math.max(threshold, OtelTraceState.threshold(span.getTraceState()));
          }
          if (!modelAttributes.isEmpty()) {
            String model = modelOf(span);
            if (model != null) {
              if (models.isEmpty()) {
                models = new HashMap<>(4);
              }
              long duration = Math.max(0, span.getEndTimeUnixNano() - span.getStartTimeUnixNano());
              models.merge(model, duration, Math::max);
            }
          }
        }
      }
    }
    return new TraceFacts(spans, encodedBytes, minStart, maxEnd, root, error, models, services,
        randomness, threshold);
  }

  private String modelOf(Span span) {
    for (KeyValue kv : span.getAttributesList()) {
      if (modelAttributes.contains(kv.getKey()) && kv.getValue().hasStringValue()) {
        return kv.getValue().getStringValue();
      }
    }
    return null;
  }

  static String stringAttribute(Iterable<KeyValue> attributes, String key) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key)) {
        AnyValue v = kv.getValue();
        return v.hasStringValue() ? v.getStringValue() : null;
      }
    }
    return null;
  }
}
