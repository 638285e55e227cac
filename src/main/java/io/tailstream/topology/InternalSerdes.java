package io.tailstream.topology;

import io.tailstream.buffer.BufferPosition;
import io.tailstream.buffer.ByTraceRecord;
import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.Watermark;
import io.tailstream.buffer.TraceSummary;
import io.tailstream.decide.Decision;
import io.tailstream.decide.TraceFacts;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Serdes for what tailstream keeps in its stores and repartition topic. Each format starts with a
 * version byte so that a later release can read what an earlier one wrote (changelogs outlive
 * deployments).
 */
final class InternalSerdes {
  private static final byte V1 = 1;

  private InternalSerdes() {}

  static final Serde<Fragment> FRAGMENT = Serdes.serdeFrom(
      (topic, f) -> f == null ? null : write(out -> {
        writeFacts(out, f.facts());
        out.writeInt(f.tracesData().length);
        out.write(f.tracesData());
      }),
      (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
        TraceFacts facts = readFacts(in);
        byte[] data = new byte[in.readInt()];
        in.readFully(data);
        return new Fragment(facts, data);
      }));

  /** First byte of a watermark; a fragment starts with its version byte, {@link #V1}. */
  private static final byte WATERMARK = 'W';

  /**
   * What crosses from split to buffer-and-decide: fragments in the V1 fragment format, and
   * watermarks as {@code 'W'}, the source partition (int) and the time (long).
   */
  static final Serde<ByTraceRecord> BY_TRACE = Serdes.serdeFrom(
      (topic, r) -> {
        if (r == null) {
          return null;
        }
        if (r instanceof Fragment f) {
          return FRAGMENT.serializer().serialize(topic, f);
        }
        Watermark w = (Watermark) r;
        V1Bytes.Writer out = new V1Bytes.Writer();
        out.writeByte(WATERMARK);
        out.writeInt(w.source());
        out.writeLong(w.timeMs());
        return out.toByteArray();
      },
      (topic, bytes) -> {
        if (bytes == null) {
          return null;
        }
        if (bytes.length == 0 || bytes[0] != WATERMARK) {
          return FRAGMENT.deserializer().deserialize(topic, bytes);
        }
        try {
          V1Bytes.Reader in = new V1Bytes.Reader(bytes);
          in.readByte();
          return new Watermark(in.readInt(), in.readLong());
        } catch (IOException | IllegalArgumentException e) {
          throw new SerializationException("corrupt watermark: " + e.getMessage(), e);
        }
      });

  static final Serde<TraceSummary> SUMMARY = Serdes.serdeFrom(
      (topic, s) -> s == null ? null : write(out -> {
        writeFacts(out, s.facts());
        out.writeLong(s.firstMs());
        out.writeLong(s.lastMs());
        out.writeLong(s.rootMs());
        // Held fragments and the first offset are an optional trailer: a summary without them
        // has the bytes V1 always had, and a release that does not know the trailer ignores it.
        if (s.heldSpans() != 0 || s.heldBytes() != 0 || s.firstOffset() != TraceSummary.NO_OFFSET) {
          out.writeInt(s.heldSpans());
          out.writeLong(s.heldBytes());
          out.writeLong(s.firstOffset());
        }
      }),
      (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
        TraceFacts facts = readFacts(in);
        long first = in.readLong();
        long last = in.readLong();
        long root = in.readLong();
        int heldSpans = in.hasMore() ? in.readInt() : 0;
        long heldBytes = in.hasMore() ? in.readLong() : 0;
        long firstOffset = in.hasMore() ? in.readLong() : TraceSummary.NO_OFFSET;
        return new TraceSummary(facts, first, last, root, heldSpans, heldBytes, firstOffset);
      }));

  /** A task's {@link BufferPosition}: the re-read offset (long) and the span store's epoch (int). */
  static final Serde<BufferPosition> POSITION = Serdes.serdeFrom(
      (topic, p) -> p == null ? null : write(out -> {
        out.writeLong(p.reReadFrom());
        out.writeInt(p.epoch());
      }),
      (topic, bytes) -> bytes == null ? null : read(bytes, in -> new BufferPosition(in.readLong(), in.readInt())));

  static final Serde<Decision> DECISION = Serdes.serdeFrom(
      (topic, d) -> d == null ? null : write(out -> {
        out.writeBoolean(d.kept());
        out.writeLong(d.threshold());
        out.writeUTF(d.rule());
        out.writeUTF(d.rulesVersion());
      }),
      (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
        boolean kept = in.readBoolean();
        long threshold = in.readLong();
        String rule = in.readUTF();
        return new Decision(kept, rule, threshold, in.readUTF());
      }));

  private static void writeFacts(V1Bytes.Writer out, TraceFacts f) {
    out.writeInt(f.spanCount());
    out.writeLong(f.bytes());
    out.writeLong(f.minStartNanos());
    out.writeLong(f.maxEndNanos());
    out.writeByte((f.rootSeen() ? 1 : 0) | (f.errorSeen() ? 2 : 0));
    out.writeLong(f.randomness());
    out.writeLong(f.threshold());
    // Counts are bounded where names enter (TraceFacts.MAX_NAMES); writeCount makes sure a
    // record that slipped past that still serializes, whole but for the entries past the count.
    int models = out.writeCount(f.modelMaxNanos().size());
    for (Map.Entry<String, Long> e : f.modelMaxNanos().entrySet()) {
      if (models-- == 0) {
        break;
      }
      out.writeUTF(e.getKey());
      out.writeLong(e.getValue());
    }
    int services = out.writeCount(f.services().size());
    for (String s : f.services()) {
      if (services-- == 0) {
        break;
      }
      out.writeUTF(s);
    }
    out.writeInt(f.featureSetId());
    // Rules compile to at most MAX_COUNT features (FeatureSet), so the count is never cut.
    out.writeCount(f.features().length);
    for (long v : f.features()) {
      out.writeLong(v);
    }
    int keys = out.writeCount(f.keyAttributes().size());
    for (Map.Entry<String, String> e : f.keyAttributes().entrySet()) {
      if (keys-- == 0) {
        break;
      }
      out.writeUTF(e.getKey());
      out.writeUTF(e.getValue());
    }
  }

  private static TraceFacts readFacts(V1Bytes.Reader in) throws IOException {
    int spans = in.readInt();
    long bytes = in.readLong();
    long minStart = in.readLong();
    long maxEnd = in.readLong();
    int flags = in.readByte();
    long randomness = in.readLong();
    long threshold = in.readLong();
    int models = in.readUnsignedShort();
    Map<String, Long> modelMax = new HashMap<>(models * 2);
    for (int i = 0; i < models; i++) {
      modelMax.put(in.readUTF(), in.readLong());
    }
    int serviceCount = in.readUnsignedShort();
    Set<String> services = new HashSet<>(serviceCount * 2);
    for (int i = 0; i < serviceCount; i++) {
      services.add(in.readUTF());
    }
    int featureSetId = in.readInt();
    long[] features = new long[in.readUnsignedShort()];
    for (int i = 0; i < features.length; i++) {
      features[i] = in.readLong();
    }
    int keyCount = in.readUnsignedShort();
    Map<String, String> keys = new HashMap<>(keyCount * 2);
    for (int i = 0; i < keyCount; i++) {
      keys.put(in.readUTF(), in.readUTF());
    }
    return new TraceFacts(spans, bytes, minStart, maxEnd, (flags & 1) != 0, (flags & 2) != 0,
        modelMax, services, randomness, threshold, featureSetId, features, keys);
  }

  private interface Writer {
    void write(V1Bytes.Writer out);
  }

  private interface Reader<T> {
    T read(V1Bytes.Reader in) throws IOException;
  }

  private static byte[] write(Writer writer) {
    V1Bytes.Writer out = new V1Bytes.Writer();
    out.writeByte(V1);
    writer.write(out);
    return out.toByteArray();
  }

  private static <T> T read(byte[] bytes, Reader<T> reader) {
    try {
      V1Bytes.Reader in = new V1Bytes.Reader(bytes);
      byte version = in.readByte();
      if (version != V1) {
        throw new SerializationException("unknown internal format version " + version
            + "; was this state written by a newer tailstream?");
      }
      return reader.read(in);
    } catch (IOException | IllegalArgumentException e) {
      // IllegalArgumentException: bytes that read but make no valid value (a record's own checks).
      throw new SerializationException("corrupt internal record: " + e.getMessage(), e);
    }
  }
}
