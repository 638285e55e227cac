package io.tailstream.topology;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.buffer.ByTraceRecord;
import io.tailstream.buffer.Fragment;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.FactsExtractor;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.OtlpDecodeException;
import io.tailstream.otlp.ProtoTraceSplitter;
import io.tailstream.otlp.TraceSplitter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Bytes;

/**
 * Turns a record read back from the buffer's log into what buffer-and-decide saw when it first
 * read it: by-trace records as they are, keyed input records split into fragments. Records
 * that cannot be read give nothing: they went to the dead-letter topic the first time.
 */
interface LogDecoder {
  /** One by-trace record: its key, its value and its input time. */
  record Decoded(Bytes key, ByTraceRecord value, long timeMs) {}

  List<Decoded> decode(ConsumerRecord<byte[], byte[]> record, long wallMs);

  /** The by-trace topic's records. */
  static LogDecoder byTrace() {
    return (record, wallMs) -> {
      if (record.key() == null || record.value() == null) {
        return List.of();
      }
      try {
        return List.of(new Decoded(Bytes.wrap(record.key()),
            InternalSerdes.BY_TRACE.deserializer().deserialize(record.topic(), record.value()),
            record.timestamp()));
      } catch (RuntimeException e) {
        return List.of();
      }
    };
  }

  /**
   * The keyed input's records, split as split does. Facts are extracted without teaching the
   * learners: they learned from these spans the first time.
   */
  static LogDecoder input(OtlpCodec codec, ActiveRules rules) {
    ProtoTraceSplitter proto = codec.encoding() == Encoding.OTLP_PROTO ? new ProtoTraceSplitter() : null;
    return (record, wallMs) -> {
      if (record.value() == null) {
        return List.of();
      }
      FactsExtractor extractor = rules.current().extractor();
      long time = Math.min(record.timestamp(), wallMs); // as SourceProgress places it
      List<Decoded> out = new ArrayList<>();
      try {
        if (proto != null) {
          for (ProtoTraceSplitter.Fragment f : proto.split(record.value()).fragments()) {
            out.add(fragment(f.traceId(), f.parsed(), f.encoded(), extractor, time));
          }
        } else {
          TraceSplitter.Split split = TraceSplitter.split(codec.decode(record.value()).request());
          for (Map.Entry<ByteString, TracesData> e : split.fragments().entrySet()) {
            out.add(fragment(e.getKey(), e.getValue(), e.getValue().toByteArray(), extractor, time));
          }
        }
      } catch (OtlpDecodeException | RuntimeException e) {
        return List.of();
      }
      return out;
    };
  }

  private static Decoded fragment(ByteString traceId, TracesData parsed, byte[] encoded,
      FactsExtractor extractor, long time) {
    return new Decoded(Bytes.wrap(traceId.toByteArray()),
        new Fragment(extractor.reextract(parsed, encoded.length), encoded), time);
  }
}
