package io.tailstream.otlp;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits an {@code otlp_proto} request into per-trace fragments without re-encoding it.
 *
 * <p>Design: the request's envelope (ResourceSpans → ScopeSpans) is walked with a
 * {@link CodedInputStream}, remembering where each Resource, Scope and Span lies in the input.
 * Only spans are parsed (their trace id and the facts need them); a Resource or Scope is parsed
 * once per distinct byte string and cached ({@link HeadCache}), because collectors repeat the
 * same few resources in every request, and once per envelope, which the traces of a batch share. Each fragment is then written by copying those byte ranges under fresh
 * length prefixes: the spans reach the buffer, and later the output, as the bytes the collector
 * sent. Compared with parse → regroup → serialize this saves the resource attributes' parsing
 * and the whole serialization. Fields of ResourceSpans and ScopeSpans that OTLP does not define
 * are dropped. Not thread-safe (one per stream task).
 */
public final class ProtoTraceSplitter {
  private static final int CACHE_LIMIT = 1024;
  private static final int RESOURCE = 1;
  private static final int CHILDREN = 2; // ResourceSpans.scope_spans, ScopeSpans.spans
  private static final int SCHEMA_URL = 3;

  /** One trace's spans: parsed (for facts) and encoded as a {@code TracesData}. */
  public record Fragment(ByteString traceId, TracesData parsed, byte[] encoded) {}

  /**
   * The fragments in first-seen order, and the spans without a valid trace id encoded as an
   * {@code ExportTraceServiceRequest} (null when there are none).
   */
  public record Result(List<Fragment> fragments, byte[] invalid, int invalidSpans, int spanCount) {}

  private final HeadCache<Resource> resources = new HeadCache<>(Resource.parser(), CACHE_LIMIT);
  private final HeadCache<InstrumentationScope> scopes = new HeadCache<>(InstrumentationScope.parser(),
      CACHE_LIMIT);

  public Result split(byte[] request) throws OtlpDecodeException {
    if (request == null) {
      throw new OtlpDecodeException("record has no value");
    }
    try {
      return walk(request);
    } catch (InvalidProtocolBufferException e) {
      throw new OtlpDecodeException("not an otlp_proto ExportTraceServiceRequest: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new OtlpDecodeException("not an otlp_proto ExportTraceServiceRequest: " + e.getMessage(), e);
    }
  }

  private Result walk(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    Map<ByteString, Group> traces = new LinkedHashMap<>();
    Group invalid = null;
    int spanCount = 0;
    int unknownTopLevel = 0;
    int resourceCount = 0;
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      if (WireFormat.getTagFieldNumber(tag) != 1
          || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        unknownTopLevel++;
        in.skipField(tag);
        continue;
      }
      Envelope rs = readEnvelope(in, bytes, true);
      resourceCount++;
      for (Envelope ss : rs.children) {
        for (int i = 0; i < ss.spanOffsets.size(); i++) {
          int off = ss.spanOffsets.get(i);
          int len = ss.spanLengths.get(i);
          Span span = Span.parser().parseFrom(bytes, off, len);
          spanCount++;
          Group g;
          if (TraceIds.isValidTraceId(span.getTraceId())) {
            g = traces.computeIfAbsent(span.getTraceId(), id -> new Group());
          } else {
            if (invalid == null) {
              invalid = new Group();
            }
            g = invalid;
          }
          g.add(rs, ss, span, off, len);
        }
      }
    }
    // Protobuf is lenient: many non-protobuf byte strings parse as "unknown fields" only.
    if (resourceCount == 0 && unknownTopLevel > 0) {
      throw new InvalidProtocolBufferException("no resource spans, only unknown fields");
    }
    List<Fragment> fragments = new ArrayList<>(traces.size());
    for (Map.Entry<ByteString, Group> e : traces.entrySet()) {
      fragments.add(new Fragment(e.getKey(), e.getValue().parsed(this, bytes), e.getValue().encode(bytes)));
    }
    return new Result(fragments, invalid == null ? null : invalid.encode(bytes),
        invalid == null ? 0 : invalid.spanCount, spanCount);
  }

  /**
   * Reads one ResourceSpans (or, nested, one ScopeSpans) envelope: where its Resource/Scope and
   * schema URL lie, and its children.
   */
  private static Envelope readEnvelope(CodedInputStream in, byte[] bytes, boolean resourceLevel)
      throws IOException {
    int length = in.readRawVarint32();
    int limit = in.pushLimit(length);
    Envelope env = new Envelope();
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      int field = WireFormat.getTagFieldNumber(tag);
      if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED
          || field < RESOURCE || field > SCHEMA_URL) {
        in.skipField(tag);
        continue;
      }
      if (field == CHILDREN && resourceLevel) {
        env.children.add(readEnvelope(in, bytes, false));
        continue;
      }
      int len = in.readRawVarint32();
      int off = in.getTotalBytesRead();
      in.skipRawBytes(len);
      switch (field) {
        case RESOURCE -> {
          env.headOffset = off;
          env.headLength = len;
        }
        case SCHEMA_URL -> {
          // Copied, never parsed: check it as protobuf would have (strings must be UTF-8).
          if (len > 0 && !ByteString.copyFrom(bytes, off, len).isValidUtf8()) {
            throw new InvalidProtocolBufferException("schema_url is not valid UTF-8");
          }
          env.schemaOffset = off;
          env.schemaLength = len;
        }
        default -> {
          env.spanOffsets.add(off);
          env.spanLengths.add(len);
        }
      }
    }
    in.popLimit(limit);
    return env;
  }

  /**
   * The envelope's Resource or Scope, parsed once per distinct byte string and looked up once per
   * envelope (the traces of a batch share theirs).
   */
  @SuppressWarnings("unchecked") // an envelope's head is only ever looked up in one cache
  private static <T> T head(HeadCache<T> cache, byte[] bytes, Envelope e)
      throws InvalidProtocolBufferException {
    if (e.parsedHead == null) {
      e.parsedHead = cache.get(bytes, e.headOffset, e.headLength);
    }
    return (T) e.parsedHead;
  }

  /** Where a ResourceSpans or ScopeSpans envelope's parts lie in the input. */
  private static final class Envelope {
    int headOffset = -1; // Resource or Scope; -1 when absent
    int headLength;
    int schemaOffset = -1;
    int schemaLength;
    Object parsedHead; // the Resource or Scope, once looked up
    final List<Envelope> children = new ArrayList<>(2);
    final IntList spanOffsets = new IntList();
    final IntList spanLengths = new IntList();

    /** Bytes of head and schema URL fields, tags and lengths included. */
    int ownFieldsSize() {
      int size = 0;
      if (headOffset >= 0) {
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(headLength) + headLength;
      }
      if (schemaOffset >= 0 && schemaLength > 0) {
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(schemaLength) + schemaLength;
      }
      return size;
    }
  }

  /** One trace's share of the request: its spans, grouped under their envelopes. */
  private static final class Group {
    final List<Part> resources = new ArrayList<>(4);
    final List<Span> spans = new ArrayList<>(8);
    int spanCount;

    void add(Envelope rs, Envelope ss, Span span, int off, int len) {
      Part r = resources.isEmpty() ? null : resources.get(resources.size() - 1);
      if (r == null || r.envelope != rs) {
        r = new Part(rs);
        resources.add(r);
      }
      Part s = r.children.isEmpty() ? null : r.children.get(r.children.size() - 1);
      if (s == null || s.envelope != ss) {
        s = new Part(ss);
        r.children.add(s);
      }
      s.spans.add(span);
      s.spanOffsets.add(off);
      s.spanLengths.add(len);
      spanCount++;
    }

    /** The spans as a TracesData over shared, cached Resource and Scope messages. */
    TracesData parsed(ProtoTraceSplitter splitter, byte[] source)
        throws InvalidProtocolBufferException {
      TracesData.Builder data = TracesData.newBuilder();
      for (Part r : resources) {
        ResourceSpans.Builder rsb = ResourceSpans.newBuilder();
        if (r.envelope.headOffset >= 0) {
          rsb.setResource(head(splitter.resources, source, r.envelope));
        }
        for (Part s : r.children) {
          ScopeSpans.Builder ssb = ScopeSpans.newBuilder();
          if (s.envelope.headOffset >= 0) {
            ssb.setScope(head(splitter.scopes, source, s.envelope));
          }
          rsb.addScopeSpans(ssb.addAllSpans(s.spans));
        }
        data.addResourceSpans(rsb);
      }
      return data.build();
    }

    /** A TracesData (same bytes as an ExportTraceServiceRequest) copying the input's ranges. */
    byte[] encode(byte[] source) throws IOException {
      int total = 0;
      for (Part r : resources) {
        r.size = r.envelope.ownFieldsSize();
        for (Part s : r.children) {
          s.size = s.envelope.ownFieldsSize();
          for (int i = 0; i < s.spanLengths.size(); i++) {
            int len = s.spanLengths.get(i);
            s.size += 1 + CodedOutputStream.computeUInt32SizeNoTag(len) + len;
          }
          r.size += 1 + CodedOutputStream.computeUInt32SizeNoTag(s.size) + s.size;
        }
        total += 1 + CodedOutputStream.computeUInt32SizeNoTag(r.size) + r.size;
      }
      byte[] out = new byte[total];
      CodedOutputStream o = CodedOutputStream.newInstance(out);
      for (Part r : resources) {
        o.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(r.size);
        writeHead(o, source, r.envelope);
        for (Part s : r.children) {
          o.writeTag(CHILDREN, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          o.writeUInt32NoTag(s.size);
          writeHead(o, source, s.envelope);
          for (int i = 0; i < s.spanLengths.size(); i++) {
            o.writeTag(CHILDREN, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            o.writeUInt32NoTag(s.spanLengths.get(i));
            o.writeRawBytes(source, s.spanOffsets.get(i), s.spanLengths.get(i));
          }
          writeSchema(o, source, s.envelope);
        }
        writeSchema(o, source, r.envelope);
      }
      o.checkNoSpaceLeft();
      return out;
    }

    private static void writeHead(CodedOutputStream o, byte[] source, Envelope e) throws IOException {
      if (e.headOffset >= 0) {
        o.writeTag(RESOURCE, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(e.headLength);
        o.writeRawBytes(source, e.headOffset, e.headLength);
      }
    }

    private static void writeSchema(CodedOutputStream o, byte[] source, Envelope e) throws IOException {
      if (e.schemaOffset >= 0 && e.schemaLength > 0) {
        o.writeTag(SCHEMA_URL, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        o.writeUInt32NoTag(e.schemaLength);
        o.writeRawBytes(source, e.schemaOffset, e.schemaLength);
      }
    }
  }

  /** A Resource- or Scope-level group of one trace's spans. */
  private static final class Part {
    final Envelope envelope;
    final List<Part> children = new ArrayList<>(2);
    final List<Span> spans = new ArrayList<>(4);
    final IntList spanOffsets = new IntList();
    final IntList spanLengths = new IntList();
    int size;

    Part(Envelope envelope) {
      this.envelope = envelope;
    }
  }

  /** A growable int array: offsets and lengths without boxing. */
  private static final class IntList {
    private int[] values = new int[8];
    private int size;

    void add(int v) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    int get(int i) {
      return values[i];
    }

    int size() {
      return size;
    }
  }
}
