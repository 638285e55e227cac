package io.tailstream.otlp;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;

/**
 * Shortens a span that is too big to be written on its own: string and bytes values longer than
 * a limit are cut (and marked), and if that is not enough its events and links go, with the
 * attribute {@code tailstream.truncated} saying what happened. A span is never dropped for size.
 */
final class SpanTruncation {
  static final String MARKER = "tailstream.truncated";
  static final int VALUE_LIMIT = 4 * 1024;

  private SpanTruncation() {}

  static Span truncate(Span span, long targetBytes) {
    Span.Builder b = span.toBuilder().clearAttributes();
    for (KeyValue kv : span.getAttributesList()) {
      b.addAttributes(shorten(kv));
    }
    for (int i = 0; i < b.getEventsCount(); i++) {
      Span.Event.Builder event = b.getEventsBuilder(i);
      var attributes = event.getAttributesList();
      event.clearAttributes();
      attributes.forEach(kv -> event.addAttributes(shorten(kv)));
    }
    String what = "values over " + VALUE_LIMIT + " bytes shortened";
    if (b.build().getSerializedSize() > targetBytes) {
      b.setDroppedEventsCount(b.getDroppedEventsCount() + b.getEventsCount()).clearEvents();
      b.setDroppedLinksCount(b.getDroppedLinksCount() + b.getLinksCount()).clearLinks();
      what += "; events and links dropped";
    }
    return b.addAttributes(KeyValue.newBuilder().setKey(MARKER)
        .setValue(AnyValue.newBuilder().setStringValue(what))).build();
  }

  private static KeyValue shorten(KeyValue kv) {
    AnyValue v = kv.getValue();
    if (v.hasStringValue() && v.getStringValue().length() > VALUE_LIMIT) {
      String cut = v.getStringValue().substring(0, VALUE_LIMIT) + "…";
      return kv.toBuilder().setValue(AnyValue.newBuilder().setStringValue(cut)).build();
    }
    if (v.hasBytesValue() && v.getBytesValue().size() > VALUE_LIMIT) {
      return kv.toBuilder().setValue(AnyValue.newBuilder().setStringValue(
          "(" + v.getBytesValue().size() + " bytes removed)")).build();
    }
    if (v.hasKvlistValue() || v.hasArrayValue()) {
      int size = v.getSerializedSize();
      if (size > VALUE_LIMIT) {
        return kv.toBuilder().setValue(AnyValue.newBuilder().setStringValue(
            new String(("(" + size + " bytes of nested values removed)").getBytes(StandardCharsets.UTF_8),
                StandardCharsets.UTF_8))).build();
      }
    }
    return kv;
  }
}
