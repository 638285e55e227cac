package io.tailstream.otlp;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.List;

/**
 * Finds the span that stands for a whole trace among its buffered fragments: the root span (no
 * parent), or, when the trace has none (its root was dropped upstream, or has not arrived by the
 * decision), the span that started first. Ties go to the first in buffer order, so the choice is
 * the same on every replay of the same fragments.
 *
 * <p>Design: fragments are {@code TracesData} bytes and only three fields of each span matter, so
 * they are walked with a {@link CodedInputStream} (TracesData → ResourceSpans → ScopeSpans → Span,
 * each a length-delimited field 1, 2, 2) and every other field is skipped: no span is parsed and
 * nothing is allocated per span. A root ends the walk; without one every span is visited once.
 */
public final class TraceRoot {
  private static final int RESOURCE_SPANS = 1; // TracesData.resource_spans
  private static final int CHILDREN = 2; // ResourceSpans.scope_spans, ScopeSpans.spans
  private static final int PARENT_SPAN_ID = 4; // Span.parent_span_id
  private static final int START_TIME = 7; // Span.start_time_unix_nano (fixed64)

  /**
   * Where the span is: the index of its fragment, and its position among that fragment's spans
   * in document order (counted across resources and scopes).
   *
   * @param root whether it is a root span, rather than the earliest span of a trace without one
   */
  public record Location(int fragment, int span, boolean root) {}

  private TraceRoot() {}

  /**
   * The root span of the trace in {@code fragments}, else its earliest span; null when the
   * fragments hold no span.
   *
   * @throws InvalidProtocolBufferException when a fragment is not a {@code TracesData}
   */
  public static Location find(List<byte[]> fragments) throws InvalidProtocolBufferException {
    int earliestFragment = -1;
    int earliestSpan = -1;
    long earliestStart = 0;
    SpanFields span = new SpanFields();
    try {
      for (int f = 0; f < fragments.size(); f++) {
        CodedInputStream in = CodedInputStream.newInstance(fragments.get(f));
        int ordinal = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
          if (!isMessage(tag, RESOURCE_SPANS)) {
            in.skipField(tag);
            continue;
          }
          int resourceEnd = in.pushLimit(in.readRawVarint32());
          for (int rt = in.readTag(); rt != 0; rt = in.readTag()) {
            if (!isMessage(rt, CHILDREN)) {
              in.skipField(rt);
              continue;
            }
            int scopeEnd = in.pushLimit(in.readRawVarint32());
            for (int st = in.readTag(); st != 0; st = in.readTag()) {
              if (!isMessage(st, CHILDREN)) {
                in.skipField(st);
                continue;
              }
              int spanEnd = in.pushLimit(in.readRawVarint32());
              span.read(in);
              in.popLimit(spanEnd);
              if (!span.hasParent) {
                return new Location(f, ordinal, true);
              }
              // Unsigned: start times are fixed64 nanoseconds.
              if (earliestFragment < 0 || Long.compareUnsigned(span.start, earliestStart) < 0) {
                earliestFragment = f;
                earliestSpan = ordinal;
                earliestStart = span.start;
              }
              ordinal++;
            }
            in.popLimit(scopeEnd);
          }
          in.popLimit(resourceEnd);
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
    return earliestFragment < 0 ? null : new Location(earliestFragment, earliestSpan, false);
  }

  /** The two fields of the span being read; one per call of {@link #find}, reused per span. */
  private static final class SpanFields {
    boolean hasParent;
    long start;

    /** Reads one span up to the current limit. */
    void read(CodedInputStream in) throws IOException {
      hasParent = false;
      start = 0;
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        int field = WireFormat.getTagFieldNumber(tag);
        int type = WireFormat.getTagWireType(tag);
        if (field == PARENT_SPAN_ID && type == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
          int length = in.readRawVarint32();
          in.skipRawBytes(length);
          hasParent = length > 0; // proto3: empty bytes are the field unset
        } else if (field == START_TIME && type == WireFormat.WIRETYPE_FIXED64) {
          start = in.readFixed64();
        } else {
          in.skipField(tag);
        }
      }
    }
  }

  private static boolean isMessage(int tag, int field) {
    return WireFormat.getTagFieldNumber(tag) == field
        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
  }
}
