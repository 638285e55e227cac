package io.tailstream.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;

/** {@code otlp_proto}: the binary protobuf encoding. */
final class OtlpProtoCodec implements OtlpCodec {
  static final OtlpProtoCodec INSTANCE = new OtlpProtoCodec();

  private OtlpProtoCodec() {}

  @Override
  public Decoded decode(byte[] value) throws OtlpDecodeException {
    if (value == null) {
      throw new OtlpDecodeException("record has no value");
    }
    try {
      ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(value);
      // Protobuf is lenient: many non-protobuf byte strings parse as "unknown fields" only.
      if (request.getResourceSpansCount() == 0 && !request.getUnknownFields().asMap().isEmpty()) {
        throw new OtlpDecodeException("not an otlp_proto ExportTraceServiceRequest: "
            + "no resource spans, only unknown fields");
      }
      return new Decoded(request, "");
    } catch (InvalidProtocolBufferException e) {
      throw new OtlpDecodeException("not an otlp_proto ExportTraceServiceRequest: " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] encode(ExportTraceServiceRequest request) {
    return request.toByteArray();
  }

  @Override
  public Encoding encoding() {
    return Encoding.OTLP_PROTO;
  }

  @Override
  public String toString() {
    return "otlp_proto";
  }
}
