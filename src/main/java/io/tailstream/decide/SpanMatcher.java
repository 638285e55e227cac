package io.tailstream.decide;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.otlp.OtelTraceState;
import io.tailstream.rules.Condition;
import io.tailstream.rules.ValueMatch;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A compiled test on one span (with its resource). Built once per rule condition; the per-span
 * path compares and scans attribute lists but compiles and allocates nothing.
 */
@FunctionalInterface
interface SpanMatcher {
  boolean test(Span span, ResourceSpans resource, String service);

  static SpanMatcher attribute(boolean onResource, String key, ValueMatch match) {
    ValueTest test = ValueTest.of(match);
    if (onResource) {
      return (span, rs, service) -> test.test(find(rs.getResource().getAttributesList(), key));
    }
    return (span, rs, service) -> test.test(find(span.getAttributesList(), key));
  }

  static SpanMatcher service(Set<String> names) {
    Set<String> copy = Set.copyOf(names);
    return (span, rs, service) -> service != null && copy.contains(service);
  }

  static SpanMatcher spanName(Set<String> names) {
    Set<String> copy = Set.copyOf(names);
    return (span, rs, service) -> copy.contains(span.getName());
  }

  static SpanMatcher status(Set<String> codes) {
    int mask = 0;
    for (String code : codes) {
      mask |= 1 << switch (code) {
        case "OK" -> 1;
        case "ERROR" -> 2;
        default -> 0;
      };
    }
    int bits = mask;
    return (span, rs, service) -> (bits & (1 << span.getStatus().getCodeValue())) != 0;
  }

  static SpanMatcher traceState(String key, ValueMatch match) {
    ValueTest test = ValueTest.of(match);
    return (span, rs, service) -> {
      String value = OtelTraceState.entry(span.getTraceState(), key);
      return test.test(value == null ? null : AnyValue.newBuilder().setStringValue(value).build());
    };
  }

  /** The W3C sampled bit, the low bit of a span's flags (the trace flags byte). */
  static SpanMatcher sampledFlag() {
    return (span, rs, service) -> (span.getFlags() & 0x1) != 0;
  }

  /** name, service and kind selectors of {@code span-latency}; null selectors match anything. */
  static SpanMatcher stage(Condition.SpanLatency s) {
    String name = s.name();
    String service = s.service();
    int kind = s.kind() == null ? -1 : switch (s.kind().toUpperCase(Locale.ROOT)) {
      case "INTERNAL" -> Span.SpanKind.SPAN_KIND_INTERNAL_VALUE;
      case "SERVER" -> Span.SpanKind.SPAN_KIND_SERVER_VALUE;
      case "CLIENT" -> Span.SpanKind.SPAN_KIND_CLIENT_VALUE;
      case "PRODUCER" -> Span.SpanKind.SPAN_KIND_PRODUCER_VALUE;
      case "CONSUMER" -> Span.SpanKind.SPAN_KIND_CONSUMER_VALUE;
      default -> Span.SpanKind.SPAN_KIND_UNSPECIFIED_VALUE;
    };
    return (span, rs, svc) -> (name == null || name.equals(span.getName()))
        && (service == null || service.equals(svc))
        && (kind < 0 || kind == span.getKindValue());
  }

  private static AnyValue find(List<KeyValue> attributes, String key) {
    for (int i = 0, n = attributes.size(); i < n; i++) {
      KeyValue kv = attributes.get(i);
      if (kv.getKey().equals(key)) {
        return kv.getValue();
      }
    }
    return null;
  }
}
