package io.tailstream.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the buffered fragments of one trace back into output records: spans regrouped under their
 * original Resource and Scope, encoded in the output encoding, and split across as many records as
 * {@code maxRecordBytes} requires. Every span appears in exactly one record.
 *
 * <p>Splitting halves the span list until each half fits: it re-encodes only traces that are too
 * big, which are rare, and needs no size estimate that could be wrong for OTLP/JSON.
 */
public final class TraceAssembler {
  private static final Logger log = LoggerFactory.getLogger(TraceAssembler.class);

  private final OtlpCodec codec;
  private final long maxRecordBytes;

  public TraceAssembler(OtlpCodec codec, long maxRecordBytes) {
    this.codec = codec;
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * The output records of a trace whose spans go out unchanged: buffered fragments are
   * {@code TracesData} bytes, and a {@code TracesData} and an {@code ExportTraceServiceRequest}
   * share the one repeated field, so in {@code otlp_proto} the fragments concatenated are the
   * request, with the spans' bytes as the collector sent them. Resources shared by fragments are
   * then repeated rather than merged (receivers accept that). Falls back to {@link #assemble} for
   * OTLP/JSON and for traces over the record limit.
   */
  public List<byte[]> passThrough(List<byte[]> fragments, List<Unfit> unfit)
      throws InvalidProtocolBufferException {
    long total = 0;
    for (byte[] f : fragments) {
      total += f.length;
    }
    if (codec.encoding() != Encoding.OTLP_PROTO || total > maxRecordBytes) {
      List<TracesData> parsed = new ArrayList<>(fragments.size());
      for (byte[] f : fragments) {
        parsed.add(TracesData.parseFrom(f));
      }
      return assemble(parsed, UnaryOperator.identity(), unfit);
    }
    if (fragments.size() == 1) {
      return List.of(fragments.get(0));
    }
    byte[] out = new byte[(int) total];
    int at = 0;
    for (byte[] f : fragments) {
      System.arraycopy(f, 0, out, at, f.length);
      at += f.length;
    }
    return List.of(out);
  }

  /** One buffered fragment as a request in the output encoding (for a dead letter). */
  public byte[] encoded(byte[] fragment) throws InvalidProtocolBufferException {
    return codec.encoding() == Encoding.OTLP_PROTO ? fragment
        : codec.encode(ExportTraceServiceRequest.parseFrom(fragment));
  }

  /**
   * Encodes the spans of {@code fragments}, each passed through {@code rewrite} (identity when
   * spans go out unchanged), as one or more records no larger than the limit. A span too large on
   * its own is shortened ({@link SpanTruncation}); one that does not fit even then is added to
   * {@code unfit} instead, for the caller to dead-letter.
   */
  public List<byte[]> assemble(List<TracesData> fragments, UnaryOperator<Span> rewrite,
      List<Unfit> unfit) {
    Map<ResourceKey, Map<ScopeKey, List<Span>>> grouped = new LinkedHashMap<>();
    for (TracesData fragment : fragments) {
      for (ResourceSpans rs : fragment.getResourceSpansList()) {
        Map<ScopeKey, List<Span>> scopes =
            grouped.computeIfAbsent(ResourceKey.of(rs), k -> new LinkedHashMap<>());
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          List<Span> spans = scopes.computeIfAbsent(ScopeKey.of(ss), k -> new ArrayList<>());
          for (Span span : ss.getSpansList()) {
            spans.add(rewrite.apply(span));
          }
        }
      }
    }
    List<Entry> entries = new ArrayList<>();
    grouped.forEach((resource, scopes) -> scopes.forEach((scope, spans) -> {
      for (Span span : spans) {
        entries.add(new Entry(resource, scope, span));
      }
    }));
    List<byte[]> records = new ArrayList<>();
    encodeFitting(entries, 0, entries.size(), records, unfit);
    return records;
  }

  /**
   * A span that does not fit the record limit even shortened: {@code encoded} is the shortened
   * span as a one-span request in the output encoding, {@code originalBytes} its size before.
   */
  public record Unfit(byte[] encoded, int originalBytes, String reason) {}

  private void encodeFitting(List<Entry> entries, int from, int to, List<byte[]> out,
      List<Unfit> unfit) {
    if (from >= to) {
      return;
    }
    byte[] encoded = codec.encode(request(entries, from, to));
    if (encoded.length <= maxRecordBytes) {
      out.add(encoded);
      return;
    }
    if (to - from == 1) {
      fitAlone(entries.get(from), encoded.length, out, unfit);
      return;
    }
    int mid = (from + to) >>> 1;
    encodeFitting(entries, from, mid, out, unfit);
    encodeFitting(entries, mid, to, out, unfit);
  }

  /**
   * One span alone is too big: shorten it rather than lose it or have the broker refuse the
   * record (which under exactly-once fails the transaction, again after every restart). First
   * the span; if its resource or scope is what is too big, those too; and if nothing fits, the
   * caller gets it back as unfit.
   */
  private void fitAlone(Entry e, int encodedBytes, List<byte[]> out, List<Unfit> unfit) {
    String trace = TraceIds.hex(e.span.getTraceId());
    Entry shortened = new Entry(e.resource, e.scope, SpanTruncation.truncate(e.span, maxRecordBytes / 2));
    byte[] encoded = codec.encode(request(List.of(shortened), 0, 1));
    if (encoded.length > maxRecordBytes) {
      shortened = new Entry(e.resource.shrunk(maxRecordBytes / 8), e.scope.shrunk(maxRecordBytes / 8),
          SpanTruncation.truncate(e.span, maxRecordBytes / 4));
      encoded = codec.encode(request(List.of(shortened), 0, 1));
    }
    if (encoded.length > maxRecordBytes) {
      String reason = "span of " + encodedBytes + " bytes does not fit output.max-record-bytes ("
          + maxRecordBytes + ") even shortened to " + encoded.length + " bytes";
      log.warn("trace {}: {}; dead-lettered", trace, reason);
      unfit.add(new Unfit(encoded, encodedBytes, reason));
      return;
    }
    log.warn("a span of trace {} is {} bytes, above output.max-record-bytes ({}); shortened to {} "
        + "bytes", trace, encodedBytes, maxRecordBytes, encoded.length);
    out.add(encoded);
  }

  /** Entries are ordered by resource, then scope: consecutive equal keys share one message. */
  private static ExportTraceServiceRequest request(List<Entry> entries, int from, int to) {
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    ResourceSpans.Builder rs = null;
    ScopeSpans.Builder ss = null;
    Entry previous = null;
    for (int i = from; i < to; i++) {
      Entry e = entries.get(i);
      if (previous == null || !e.resource.equals(previous.resource)) {
        if (rs != null) {
          request.addResourceSpans(rs.addScopeSpans(ss));
        }
        rs = e.resource.newBuilder();
        ss = e.scope.newBuilder();
      } else if (!e.scope.equals(previous.scope)) {
        rs.addScopeSpans(ss);
        ss = e.scope.newBuilder();
      }
      ss.addSpans(e.span);
      previous = e;
    }
    if (rs != null) {
      request.addResourceSpans(rs.addScopeSpans(ss));
    }
    return request.build();
  }

  private record Entry(ResourceKey resource, ScopeKey scope, Span span) {}

  private record ResourceKey(Resource resource, boolean present, String schemaUrl) {
    static ResourceKey of(ResourceSpans rs) {
      return new ResourceKey(rs.getResource(), rs.hasResource(), rs.getSchemaUrl());
    }

    ResourceSpans.Builder newBuilder() {
      ResourceSpans.Builder b = ResourceSpans.newBuilder().setSchemaUrl(schemaUrl);
      return present ? b.setResource(resource) : b;
    }

    ResourceKey shrunk(long targetBytes) {
      return new ResourceKey(SpanTruncation.shrinkResource(resource, targetBytes), present,
          schemaUrl.length() > SpanTruncation.TEXT_LIMIT ? "" : schemaUrl);
    }
  }

  private record ScopeKey(InstrumentationScope scope, boolean present, String schemaUrl) {
    static ScopeKey of(ScopeSpans ss) {
      return new ScopeKey(ss.getScope(), ss.hasScope(), ss.getSchemaUrl());
    }

    ScopeSpans.Builder newBuilder() {
      ScopeSpans.Builder b = ScopeSpans.newBuilder().setSchemaUrl(schemaUrl);
      return present ? b.setScope(scope) : b;
    }

    ScopeKey shrunk(long targetBytes) {
      return new ScopeKey(SpanTruncation.shrinkScope(scope, targetBytes), present,
          schemaUrl.length() > SpanTruncation.TEXT_LIMIT ? "" : schemaUrl);
    }
  }
}
