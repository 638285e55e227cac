package io.tailstream.topology;

import io.tailstream.buffer.BufferPosition;
import io.tailstream.buffer.ByTraceRecord;
import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.FragmentBatch;
import io.tailstream.buffer.Watermark;
import io.tailstream.buffer.TraceSummary;
import io.tailstream.decide.Decision;
import io.tailstream.decide.TraceFacts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;

/**
 * Serdes for what tailstream keeps in its stores and repartition topic. Each format starts with a
 * version byte so that a later release can read what an earlier one wrote (changelogs outlive
 * deployments).
 */
final class InternalSerdes {
  private static final byte V1 = 1;

  private InternalSerdes() {}

  static final Serde<Fragment> FRAGMENT = Serdes.serdeFrom(
      (topic, f) -> f == null ? null : write(out -> writeFragment(out, f)),
      (topic, bytes) -> bytes == null ? null : read(bytes, InternalSerdes::readFragment));

  /** First byte of a watermark; a fragment starts with its version byte, {@link #V1}. */
  private static final byte WATERMARK = 'W';
  /** First byte of a fragment batch. */
  private static final byte BATCH = 'B';

  /**
   * What crosses from split to buffer-and-decide: fragments in the V1 fragment format;
   * watermarks as {@code 'W'}, the source partition (int) and the time (long); fragment batches
   * as {@code 'B'}, the partition (int), the count (int) and per fragment the trace id (a
   * length byte and the id) and the V1 fragment body.
   */
  static final Serde<ByTraceRecord> BY_TRACE = Serdes.serdeFrom(
      (topic, r) -> {
        if (r == null) {
          return null;
        }
        if (r instanceof Fragment f) {
          return FRAGMENT.serializer().serialize(topic, f);
        }
        V1Bytes.Writer out = new V1Bytes.Writer();
        if (r instanceof FragmentBatch b) {
          out.writeByte(BATCH);
          out.writeInt(b.partition());
          out.writeInt(b.entries().size());
          for (FragmentBatch.Entry e : b.entries()) {
            byte[] id = e.traceId().get();
            out.writeByte(id.length);
            out.write(id);
            writeFragment(out, e.fragment());
          }
          return out.toByteArray();
        }
        Watermark w = (Watermark) r;
        out.writeByte(WATERMARK);
        out.writeInt(w.source());
        out.writeLong(w.timeMs());
        return out.toByteArray();
      },
      (topic, bytes) -> {
        if (bytes == null) {
          return null;
        }
        if (bytes.length == 0 || (bytes[0] != WATERMARK && bytes[0] != BATCH)) {
          return FRAGMENT.deserializer().deserialize(topic, bytes);
        }
        try {
          V1Bytes.Reader in = new V1Bytes.Reader(bytes);
          if (in.readByte() == WATERMARK) {
            return new Watermark(in.readInt(), in.readLong());
          }
          int partition = in.readInt();
          int count = in.readInt();
          if (count < 0 || count > bytes.length) { // each entry takes bytes: not a list to allocate
            throw new IllegalArgumentException("fragment count " + count + " in " + bytes.length + " bytes");
          }
          List<FragmentBatch.Entry> entries = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            byte[] id = in.readBytes(in.readByte() & 0xff);
            entries.add(new FragmentBatch.Entry(Bytes.wrap(id), readFragment(in)));
          }
          return new FragmentBatch(partition, entries);
        } catch (IOException | IllegalArgumentException e) {
          throw new SerializationException("corrupt by-trace record: " + e.getMessage(), e);
        }
      });

  /**
   * At least the bytes one fragment takes in a batch, from sizes and counts only (each name at
   * most {@link TraceFacts#MAX_NAME_CHARS} chars of up to 3 UTF-8 bytes); a batch is cut by it.
   */
  static long batchEntryBytesBound(Bytes traceId, Fragment f) {
    TraceFacts facts = f.facts();
    long name = 2 + 3L * TraceFacts.MAX_NAME_CHARS;
    int names = facts.modelMaxNanos().size() + facts.services().size() + 2 * facts.keyAttributes().size();
    return 1 + traceId.get().length + 64 + 8L * facts.features().length + 8L * facts.modelMaxNanos().size()
        + name * names + 4 + f.tracesData().length;
  }

  private static void writeFragment(V1Bytes.Writer out, Fragment f) {
    writeFacts(out, f.facts());
    out.writeInt(f.tracesData().length);
    out.write(f.tracesData());
  }

  private static Fragment readFragment(V1Bytes.Reader in) throws IOException {
    TraceFacts facts = readFacts(in);
    return new Fragment(facts, in.readBytes(in.readInt()));
  }

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
    // Most fragments name no model or key attribute and one or two services: immutable maps and
    // sets of those sizes are what TraceFacts keeps anyway (its copyOf returns them as they are),
    // so the common case allocates no HashMap to copy and throw away.
    int models = in.readUnsignedShort();
    Map<String, Long> modelMax;
    if (models == 0) {
      modelMax = Map.of();
    } else if (models == 1) {
      modelMax = Map.of(in.readUTF(), in.readLong());
    } else {
      modelMax = new HashMap<>(models * 2);
      for (int i = 0; i < models; i++) {
        modelMax.put(in.readUTF(), in.readLong());
      }
    }
    int serviceCount = in.readUnsignedShort();
    Set<String> services;
    if (serviceCount == 0) {
      services = Set.of();
    } else if (serviceCount == 1) {
      services = Set.of(in.readUTF());
    } else {
      services = new HashSet<>(serviceCount * 2);
      for (int i = 0; i < serviceCount; i++) {
        services.add(in.readUTF());
      }
    }
    int featureSetId = in.readInt();
    long[] features = new long[in.readUnsignedShort()];
    for (int i = 0; i < features.length; i++) {
      features[i] = in.readLong();
    }
    int keyCount = in.readUnsignedShort();
    Map<String, String> keys;
    if (keyCount == 0) {
      keys = Map.of();
    } else {
      keys = new HashMap<>(keyCount * 2);
      for (int i = 0; i < keyCount; i++) {
        keys.put(in.readUTF(), in.readUTF());
      }
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
