package io.tailstream.topology;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.decide.Decision;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TraceAssembler;
import io.tailstream.otlp.TraceIds;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Writes a kept trace's buffered fragments to the output with the decision's headers. The spans'
 * bytes go out as they were buffered; they are parsed and re-encoded only when the decision
 * rewrites their sampling threshold (or the assembler must: OTLP/JSON, over the record limit).
 */
final class KeptTraceEmitter {
  private final TraceAssembler assembler;
  private final TailstreamMetrics metrics;

  KeptTraceEmitter(TraceAssembler assembler, TailstreamMetrics metrics) {
    this.assembler = assembler;
    this.metrics = metrics;
  }

  void emit(ProcessorContext<String, byte[]> context, Bytes traceId, List<byte[]> fragments,
      int spanCount, Decision decision, long delayMs, boolean late) {
    List<byte[]> records;
    try {
      if (decision.rewritesThreshold()) {
        List<TracesData> parsed = new ArrayList<>(fragments.size());
        for (byte[] f : fragments) {
          parsed.add(parse(f));
        }
        records = assembler.assemble(parsed, rewriteFor(decision.threshold()));
      } else {
        records = assembler.passThrough(fragments);
      }
    } catch (InvalidProtocolBufferException e) {
      throw corrupt(e);
    }
    String key = TraceIds.hex(traceId.get());
    long now = context.currentSystemTimeMs();
    for (byte[] value : records) {
      context.forward(new Record<>(key, value, now, headers(decision, delayMs, late)));
    }
    metrics.emitted(records.size(), spanCount);
  }

  /** A buffered fragment, parsed. */
  static TracesData parse(byte[] fragment) {
    try {
      return TracesData.parseFrom(fragment);
    } catch (InvalidProtocolBufferException e) {
      throw corrupt(e);
    }
  }

  // We wrote these bytes ourselves from a parsed message: this is a bug or corruption.
  private static IllegalStateException corrupt(InvalidProtocolBufferException e) {
    return new IllegalStateException("corrupt buffered fragment", e);
  }

  private static RecordHeaders headers(Decision decision, long delayMs, boolean late) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.RULE, Headers.utf8(decision.rule()));
    headers.add(Headers.RULES_VERSION, Headers.utf8(decision.rulesVersion()));
    headers.add(Headers.DECISION_DELAY_MS, Headers.utf8(Long.toString(delayMs)));
    if (late) {
      headers.add(Headers.LATE, Headers.utf8("true"));
    }
    if (decision.rule().startsWith("stress:")) {
      headers.add(Headers.STRESSED, Headers.utf8("true"));
    }
    return headers;
  }

  private static UnaryOperator<Span> rewriteFor(long threshold) {
    return span -> span.toBuilder()
        .setTraceState(OtelTraceState.withThreshold(span.getTraceState(), threshold))
        .build();
  }
}
