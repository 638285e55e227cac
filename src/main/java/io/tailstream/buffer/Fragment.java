package io.tailstream.buffer;

import io.tailstream.decide.TraceFacts;
import java.util.Objects;

/**
 * The spans of one trace from one input record: an encoded {@code TracesData} (always protobuf
 * inside tailstream, whatever the wire encoding) and its precomputed {@link TraceFacts}, so the
 * buffer never has to parse it to update the trace's summary.
 */
public record Fragment(TraceFacts facts, byte[] tracesData) implements ByTraceRecord {
  public Fragment {
    Objects.requireNonNull(facts, "facts");
    Objects.requireNonNull(tracesData, "tracesData");
  }
}
