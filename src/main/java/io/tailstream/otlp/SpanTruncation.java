package io.tailstream.otlp;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;

/**
 * Shortens a span that is too big to be written on its own, in stages that each lose more, until
 * it fits {@code targetBytes} (its protobuf size):
 * <ol>
 *   <li>string and bytes values longer than {@value #VALUE_LIMIT} bytes are cut (and marked);
 *   <li>its events and links go (counted in {@code dropped_events_count}/{@code dropped_links_count});
 *   <li>its name and status message are cut to {@value #TEXT_LIMIT} chars, an oversized
 *       {@code trace_state} goes, and attributes are kept in order only while they fit (the rest
 *       counted in {@code dropped_attributes_count}).
 * </ol>
 * Ids, times, kind, parent and status code always stay, so the trace's shape survives in storage.
 * The attribute {@value #MARKER} says what happened. {@link #shrinkResource} and
 * {@link #shrinkScope} do the same for what the span is written under. A caller that still cannot
 * fit the result dead-letters it: a span is never retried forever, nor silently lost.
 */
final class SpanTruncation {
  static final String MARKER = "tailstream.truncated";
  static final int VALUE_LIMIT = 4 * 1024;
  static final int TEXT_LIMIT = 1024;
  /** W3C trace context: a tracestate is at most 512 chars; anything longer is not one. */
  static final int TRACE_STATE_LIMIT = 512;

  private SpanTruncation() {}

  static Span truncate(Span span, long targetBytes) {
    Span.Builder b = span.toBuilder().clearAttributes();
    for (KeyValue kv : span.getAttributesList()) {
      b.addAttributes(shorten(kv, VALUE_LIMIT));
    }
    for (int i = 0; i < b.getEventsCount(); i++) {
      Span.Event.Builder event = b.getEventsBuilder(i);
      var attributes = event.getAttributesList();
      event.clearAttributes();
      attributes.forEach(kv -> event.addAttributes(shorten(kv, VALUE_LIMIT)));
    }
    String what = "values over " + VALUE_LIMIT + " bytes shortened";
    long markerBytes = 64 + MARKER.length() + 120;
    if (b.build().getSerializedSize() + markerBytes > targetBytes) {
      b.setDroppedEventsCount(b.getDroppedEventsCount() + b.getEventsCount()).clearEvents();
      b.setDroppedLinksCount(b.getDroppedLinksCount() + b.getLinksCount()).clearLinks();
      what += "; events and links dropped";
    }
    if (b.build().getSerializedSize() + markerBytes > targetBytes) {
      int dropped = cutToTheBone(b, targetBytes - markerBytes);
      what += "; name and status message cut to " + TEXT_LIMIT + " chars";
      if (dropped > 0) {
        what += ", " + dropped + " attributes dropped";
      }
    }
    return b.addAttributes(KeyValue.newBuilder().setKey(MARKER)
        .setValue(AnyValue.newBuilder().setStringValue(what))).build();
  }

  /** Stage 3; returns how many attributes it dropped. */
  private static int cutToTheBone(Span.Builder b, long targetBytes) {
    b.setName(TextCut.cut(b.getName(), TEXT_LIMIT));
    if (b.hasStatus()) {
      Status status = b.getStatus();
      b.setStatus(status.toBuilder().setMessage(TextCut.cut(status.getMessage(), TEXT_LIMIT)));
    }
    if (b.getTraceState().length() > TRACE_STATE_LIMIT) {
      b.clearTraceState();
    }
    var attributes = b.getAttributesList();
    b.clearAttributes();
    long size = b.build().getSerializedSize();
    int dropped = 0;
    for (KeyValue kv : attributes) {
      KeyValue small = shorten(kv, TEXT_LIMIT);
      long bytes = small.getSerializedSize() + 3L; // tag and length of the repeated field
      if (size + bytes <= targetBytes) {
        b.addAttributes(small);
        size += bytes;
      } else {
        dropped++;
      }
    }
    b.setDroppedAttributesCount(b.getDroppedAttributesCount() + dropped);
    return dropped;
  }

  /** A resource whose attributes are cut to {@value #TEXT_LIMIT} chars, and dropped past the target. */
  static Resource shrinkResource(Resource resource, long targetBytes) {
    Resource.Builder b = resource.toBuilder().clearAttributes();
    int dropped = keepFitting(resource.getAttributesList(), targetBytes, b::addAttributes);
    return b.setDroppedAttributesCount(b.getDroppedAttributesCount() + dropped).build();
  }

  /** A scope with its name and version cut and its attributes kept only while they fit. */
  static InstrumentationScope shrinkScope(InstrumentationScope scope, long targetBytes) {
    InstrumentationScope.Builder b = scope.toBuilder().clearAttributes()
        .setName(TextCut.cut(scope.getName(), TEXT_LIMIT)).setVersion(TextCut.cut(scope.getVersion(), TEXT_LIMIT));
    int dropped = keepFitting(scope.getAttributesList(), targetBytes - b.build().getSerializedSize(),
        b::addAttributes);
    return b.setDroppedAttributesCount(b.getDroppedAttributesCount() + dropped).build();
  }

  private static int keepFitting(Iterable<KeyValue> attributes, long targetBytes,
      java.util.function.Consumer<KeyValue> keep) {
    long size = 0;
    int dropped = 0;
    for (KeyValue kv : attributes) {
      KeyValue small = shorten(kv, TEXT_LIMIT);
      long bytes = small.getSerializedSize() + 3L;
      if (size + bytes <= targetBytes) {
        keep.accept(small);
        size += bytes;
      } else {
        dropped++;
      }
    }
    return dropped;
  }

  private static KeyValue shorten(KeyValue kv, int limit) {
    KeyValue.Builder b = kv.toBuilder();
    if (kv.getKey().length() > limit) {
      b.setKey(TextCut.cut(kv.getKey(), limit));
    }
    AnyValue v = kv.getValue();
    if (v.hasStringValue() && v.getStringValue().length() > limit) {
      b.setValue(AnyValue.newBuilder().setStringValue(TextCut.cut(v.getStringValue(), limit)));
    } else if (v.hasBytesValue() && v.getBytesValue().size() > limit) {
      b.setValue(AnyValue.newBuilder().setStringValue(
          "(" + v.getBytesValue().size() + " bytes removed)"));
    } else if ((v.hasKvlistValue() || v.hasArrayValue()) && v.getSerializedSize() > limit) {
      b.setValue(AnyValue.newBuilder().setStringValue(
          "(" + v.getSerializedSize() + " bytes of nested values removed)"));
    }
    return b.build();
  }
}
