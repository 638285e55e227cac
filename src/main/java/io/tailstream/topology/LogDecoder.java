package io.tailstream.topology;

import io.tailstream.buffer.ByTraceRecord;
import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.FragmentBatch;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.FactsExtractor;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.OtlpDecodeException;
import io.tailstream.otlp.ProtoTraceSplitter;
import io.tailstream.otlp.RecordSplitter;
import java.util.ArrayList;
import java.util.List;
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

  /** The by-trace topic's records; a batch gives each of its fragments. */
  static LogDecoder byTrace() {
    return (record, wallMs) -> {
      if (record.value() == null) {
        return List.of();
      }
      ByTraceRecord value;
      try {
        value = InternalSerdes.BY_TRACE.deserializer().deserialize(record.topic(), record.value());
      } catch (RuntimeException e) {
        return List.of();
      }
      if (value instanceof FragmentBatch batch) {
        List<Decoded> out = new ArrayList<>(batch.entries().size());
        for (FragmentBatch.Entry e : batch.entries()) {
          out.add(new Decoded(e.traceId(), e.fragment(), record.timestamp()));
        }
        return out;
      }
      if (record.key() == null) {
        return List.of(); // a fragment or a watermark always has one
      }
      return List.of(new Decoded(Bytes.wrap(record.key()), value, record.timestamp()));
    };
  }

  /**
   * The keyed input's records, split as split does. Facts are extracted without teaching the
   * learners: they learned from these spans the first time.
   */
  static LogDecoder input(OtlpCodec codec, ActiveRules rules) {
    RecordSplitter splitter = new RecordSplitter(codec);
    return (record, wallMs) -> {
      if (record.value() == null) {
        return List.of();
      }
      FactsExtractor extractor = rules.current().extractor();
      long time = Math.min(record.timestamp(), wallMs); // as SourceProgress places it
      List<Decoded> out = new ArrayList<>();
      try {
        for (ProtoTraceSplitter.Fragment f : splitter.split(record.value()).fragments()) {
          out.add(new Decoded(Bytes.wrap(f.traceId().toByteArray()),
              new Fragment(extractor.reextract(f.parsed(), f.encoded().length), f.encoded()), time));
        }
      } catch (OtlpDecodeException | RuntimeException e) {
        return List.of();
      }
      return out;
    };
  }
}
