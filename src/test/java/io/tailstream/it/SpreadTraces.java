package io.tailstream.it;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.otlp.TraceIds;
import io.tailstream.workload.InferenceWorkload;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * A seeded, endless plan of null-key input in which no trace sits in one record: each trace of
 * the {@link InferenceWorkload} is cut into {@link #PIECES} pieces (its spans shuffled, so a
 * root may come first or last), piece {@code j} sent {@code j × GAP_TICKS} ticks after the first
 * on partition {@code (n + j) mod partitions}, and the pieces due at one tick on one partition
 * packed into one record, as a collector's batches mix traces. So every trace's fragments meet
 * only after crossing several input partitions, over {@code (PIECES - 1) × GAP_TICKS} ticks.
 *
 * <p>{@link #RULES} decide on the trace alone (errors, latency, per-model latency, an attribute
 * with a span count), so which traces they keep is known from the plan ({@link #keptByRules}),
 * and the span-count rule drops a wide trace decided before all its pieces came.
 *
 * <p>One thread uses a plan ({@link PacedLoad}'s); read the results after it stopped.
 */
final class SpreadTraces {
  static final int PIECES = 3;
  /** Ticks between two pieces of a trace: with 50 ms ticks a trace's pieces span 0.8 s. */
  static final int GAP_TICKS = 8;

  static final String RULES = """
      rules:
        - name: errors
          keep: { error: true }
        - name: slow
          keep: { latency: "> 2s" }
        - name: slow-model
          keep:
            model-inference:
              attribute: gen_ai.request.model
              thresholds: { ranker-v3: 800ms, default: 1500ms }
        - name: wide-reranker
          keep:
            attribute: { key: gen_ai.request.model, equals: reranker-v1 }
            span-count: { min: 8 }
      """;

  /** One record of the plan: a null-key batch for {@code partition}. */
  record Batch(int partition, byte[] value, int spans) {}

  private final InferenceWorkload workload;
  private final Random random;
  private final int partitions;
  private final int tracesPerTick;
  /** tick → partition → spans to send then. */
  private final TreeMap<Integer, Map<Integer, List<KafkaTestSupport.Placed>>> pending = new TreeMap<>();
  private final Map<String, Set<String>> kept = new LinkedHashMap<>();
  private int tick;
  private int traces;
  private long spans;

  SpreadTraces(long seed, int partitions, int tracesPerTick) {
    if (partitions < PIECES) {
      throw new IllegalArgumentException("need at least " + PIECES + " partitions, got " + partitions);
    }
    this.workload = new InferenceWorkload(seed, 0.08, 0.04, 0.04);
    this.random = new Random(seed + 1);
    this.partitions = partitions;
    this.tracesPerTick = tracesPerTick;
  }

  /** The records of the next tick; {@code startNew} false sends only pieces of traces already begun. */
  List<Batch> next(boolean startNew) {
    if (startNew) {
      for (int i = 0; i < tracesPerTick; i++) {
        plan(workload.next());
      }
    }
    Map<Integer, List<KafkaTestSupport.Placed>> due = pending.remove(tick++);
    List<Batch> out = new ArrayList<>();
    if (due != null) {
      due.forEach((partition, placed) -> out.add(
          new Batch(partition, KafkaTestSupport.request(placed).toByteArray(), placed.size())));
    }
    return out;
  }

  /** No piece of a begun trace is left to send. */
  boolean drained() {
    return pending.isEmpty();
  }

  /** Traces begun so far. */
  int traces() {
    return traces;
  }

  /** Spans of the traces begun so far. */
  long spans() {
    return spans;
  }

  /** Every begun trace that {@link #RULES} keep: hex trace id → hex span ids. */
  Map<String, Set<String>> keptByRules() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(kept));
  }

  private void plan(InferenceWorkload.Trace trace) {
    int n = traces++;
    List<KafkaTestSupport.Placed> placed = new ArrayList<>();
    for (ResourceSpans rs : trace.resources()) {
      for (Span s : rs.getScopeSpans(0).getSpansList()) {
        placed.add(new KafkaTestSupport.Placed(rs, s));
      }
    }
    Collections.shuffle(placed, random);
    spans += placed.size();
    for (int i = 0; i < placed.size(); i++) {
      int piece = i % PIECES;
      pending.computeIfAbsent(tick + piece * GAP_TICKS, t -> new HashMap<>())
          .computeIfAbsent((n + piece) % partitions, p -> new ArrayList<>())
          .add(placed.get(i));
    }
    if (keeps(trace)) {
      kept.put(TraceIds.hex(trace.traceId()), spanIds(trace));
    }
  }

  /** What {@link #RULES} decide for a whole trace, from what the workload made it. */
  static boolean keeps(InferenceWorkload.Trace trace) {
    if (trace.kind() != InferenceWorkload.Kind.NORMAL) {
      return true; // errors, slow end to end, or a slow model call past its threshold
    }
    return trace.spanCount() >= 8 && trace.spans().stream()
        .anyMatch(s -> hasAttribute(s, "gen_ai.request.model", "reranker-v1"));
  }

  private static boolean hasAttribute(Span span, String key, String value) {
    for (KeyValue kv : span.getAttributesList()) {
      if (kv.getKey().equals(key) && kv.getValue().getStringValue().equals(value)) {
        return true;
      }
    }
    return false;
  }

  static Set<String> spanIds(InferenceWorkload.Trace trace) {
    Set<String> ids = new java.util.TreeSet<>();
    trace.spans().forEach(s -> ids.add(TraceIds.hex(s.getSpanId().toByteArray())));
    return ids;
  }
}
