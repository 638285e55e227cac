package io.tailstream.otlp;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/**
 * Reads and writes {@code ExportTraceServiceRequest}s in one of the collector's Kafka encodings.
 * Implementations are stateless and thread-safe.
 */
public interface OtlpCodec {

  /**
   * Decodes a record value.
   *
   * @throws OtlpDecodeException with a reason fit for the dead-letter header
   */
  Decoded decode(byte[] value) throws OtlpDecodeException;

  byte[] encode(ExportTraceServiceRequest request);

  Encoding encoding();

  static OtlpCodec of(Encoding encoding) {
    return encoding == Encoding.OTLP_JSON ? OtlpJsonCodec.INSTANCE : OtlpProtoCodec.INSTANCE;
  }

  /**
   * A decoded request. {@code idProblems} describes ids the decoder could not read (only OTLP/JSON
   * can have them: hex that is not hex); the affected spans were left without a trace id, so the
   * splitter dead-letters them and this text says why.
   */
  record Decoded(ExportTraceServiceRequest request, String idProblems) {}
}
