package io.tailstream.otlp;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.trace.v1.TracesData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Splits one input record, in the input's encoding, into one fragment per trace: otlp_proto on
 * its bytes ({@link ProtoTraceSplitter}), otlp_json decoded whole and re-encoded as protobuf
 * ({@link TraceSplitter}). The one place both encodings become the same fragments, so the first
 * read of a record and a re-read of it from the log split it alike. Not thread-safe (one per
 * stream task).
 */
public final class RecordSplitter {
  static final String INVALID_IDS = "spans without a valid 16-byte trace id";

  /**
   * The fragments in first-seen order, and the spans without a valid trace id encoded in the
   * input's encoding ({@code invalid} null when there are none) with the reason to give.
   */
  public record Split(List<ProtoTraceSplitter.Fragment> fragments, int spanCount, byte[] invalid,
      int invalidSpans, String invalidReason) {}

  private final OtlpCodec codec;
  private final ProtoTraceSplitter proto;

  public RecordSplitter(OtlpCodec codec) {
    this.codec = codec;
    this.proto = codec.encoding() == Encoding.OTLP_PROTO ? new ProtoTraceSplitter() : null;
  }

  /** @throws OtlpDecodeException when the record is not a request in the input's encoding */
  public Split split(byte[] value) throws OtlpDecodeException {
    if (proto != null) {
      ProtoTraceSplitter.Result r = proto.split(value);
      return new Split(r.fragments(), r.spanCount(), r.invalid(), r.invalidSpans(), INVALID_IDS);
    }
    OtlpCodec.Decoded decoded = codec.decode(value);
    TraceSplitter.Split split = TraceSplitter.split(decoded.request());
    List<ProtoTraceSplitter.Fragment> fragments = new ArrayList<>(split.fragments().size());
    for (Map.Entry<ByteString, TracesData> e : split.fragments().entrySet()) {
      fragments.add(new ProtoTraceSplitter.Fragment(e.getKey(), e.getValue(), e.getValue().toByteArray()));
    }
    if (split.invalid() == null) {
      return new Split(fragments, split.spanCount(), null, 0, INVALID_IDS);
    }
    String reason = decoded.idProblems().isEmpty() ? INVALID_IDS : INVALID_IDS + ": " + decoded.idProblems();
    int invalidSpans = split.invalid().getResourceSpansList().stream()
        .flatMap(rs -> rs.getScopeSpansList().stream())
        .mapToInt(ss -> ss.getSpansCount()).sum();
    return new Split(fragments, split.spanCount(), codec.encode(split.invalid()), invalidSpans, reason);
  }
}
