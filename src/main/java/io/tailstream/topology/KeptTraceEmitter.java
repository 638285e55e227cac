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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a kept trace's buffered fragments to the output with the decision's headers. The spans'
 * bytes go out as they were buffered; they are parsed and re-encoded only when the decision
 * rewrites or erases their sampling threshold (or the assembler must: OTLP/JSON, over the record
 * limit). Thresholds are set span by span ({@link Decision#spanThreshold}): a span, late ones
 * included, never leaves with a lower threshold than it came with.
 * With {@code output.decision-attributes} on, the decision is also written as span attributes
 * first ({@link DecisionAttributes}); off, nothing of that runs.
 * A span that fits no output record even shortened goes to the dead-letter topic instead (records
 * with the {@link Headers#ERROR} header are routed there by the topology's sink).
 */
final class KeptTraceEmitter {
  private static final Logger log = LoggerFactory.getLogger(KeptTraceEmitter.class);

  private final TraceAssembler assembler;
  private final DecisionAttributes attributes;
  private final TailstreamMetrics metrics;
  private final long maxDeadLetterBytes;

  KeptTraceEmitter(TraceAssembler assembler, DecisionAttributes attributes, TailstreamMetrics metrics,
      long maxDeadLetterBytes) {
    this.assembler = assembler;
    this.attributes = attributes;
    this.metrics = metrics;
    this.maxDeadLetterBytes = maxDeadLetterBytes;
  }

  /**
   * Emits a kept trace; returns false (and writes nothing) when {@code fragments} hold no spans,
   * so that the caller counts it instead of an empty record going out as a kept trace.
   */
  boolean emit(ProcessorContext<String, byte[]> context, Bytes traceId, List<byte[]> fragments,
      int spanCount, Decision decision, long delayMs, boolean late) {
    if (fragments.isEmpty()) {
      return false;
    }
    List<byte[]> records;
    List<TraceAssembler.Unfit> unfit = new ArrayList<>(0);
    try {
      // Late spans go out as they came: the decision was written on the trace when it went out.
      List<byte[]> stamped = late ? fragments : attributes.stamp(fragments, decision, delayMs);
      if (decision.changesTraceState()) {
        List<TracesData> parsed = new ArrayList<>(stamped.size());
        for (byte[] f : stamped) {
          parsed.add(parse(f));
        }
        records = assembler.assemble(parsed, rewriteFor(decision), unfit);
      } else {
        records = assembler.passThrough(stamped, unfit);
      }
    } catch (InvalidProtocolBufferException e) {
      throw corrupt(e);
    }
    String key = TraceIds.hex(traceId.get());
    long now = context.currentSystemTimeMs();
    for (byte[] value : records) {
      context.forward(new Record<>(key, value, now, headers(decision, delayMs, late)));
    }
    for (TraceAssembler.Unfit u : unfit) {
      deadLetter(context, key, u, now);
    }
    metrics.emitted(records.size(), spanCount - unfit.size());
    return true;
  }

  /**
   * A fragment of a trace that could not be buffered or decided ({@code what} failed), with the
   * exception that stopped it.
   */
  void deadLetter(ProcessorContext<String, byte[]> context, String key, byte[] fragment, String what,
      RuntimeException failure, long now) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.ERROR, Headers.utf8(DeadLetters.reason(what + " failed: " + failure)));
    headers.add(Headers.EXCEPTION, Headers.utf8(failure.getClass().getName()));
    headers.add(Headers.SOURCE, Headers.utf8("buffered trace " + key));
    byte[] value;
    try {
      value = assembler.encoded(fragment);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      value = fragment; // the bytes as buffered (protobuf TracesData), for a human to look at
    }
    DeadLetters.Letter letter = DeadLetters.fit(Headers.utf8(key), value, headers, maxDeadLetterBytes);
    metrics.deadLettered(TailstreamMetrics.DeadLetterReason.PROCESSING_ERROR, 0);
    context.forward(new Record<>(key, letter.value(), now, letter.headers()));
  }

  private void deadLetter(ProcessorContext<String, byte[]> context, String key,
      TraceAssembler.Unfit unfit, long now) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(Headers.ERROR, Headers.utf8(DeadLetters.reason(unfit.reason())));
    headers.add(Headers.SOURCE, Headers.utf8("kept trace " + key));
    DeadLetters.Letter letter = DeadLetters.fit(Headers.utf8(key), unfit.encoded(), headers,
        maxDeadLetterBytes);
    metrics.deadLettered(TailstreamMetrics.DeadLetterReason.OVERSIZED_SPAN, 1);
    log.warn("trace {}: a kept span went to the dead-letter topic: {}", key, unfit.reason());
    context.forward(new Record<>(key, letter.value(), now, letter.headers()));
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
    if (stressed(decision)) {
      headers.add(Headers.STRESSED, Headers.utf8("true"));
    }
    return headers;
  }

  /** Whether stress relief decided: its rules are named {@code stress:...}. */
  static boolean stressed(Decision decision) {
    return decision.rule().startsWith("stress:");
  }

  /** Each span with the threshold the decision gives it; the same span when nothing changes. */
  static UnaryOperator<Span> rewriteFor(Decision decision) {
    return span -> {
      String state = span.getTraceState();
      String rewritten;
      if (decision.erasesThreshold()) {
        rewritten = OtelTraceState.withoutThreshold(state); // malformed th values too
      } else {
        long incoming = OtelTraceState.threshold(state);
        long outgoing = decision.spanThreshold(incoming);
        rewritten = outgoing == incoming ? state : OtelTraceState.withThreshold(state, outgoing);
      }
      return rewritten.equals(state) ? span : span.toBuilder().setTraceState(rewritten).build();
    };
  }
}
