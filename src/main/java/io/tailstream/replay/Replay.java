package io.tailstream.replay;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.decide.Decider;
import io.tailstream.decide.Decision;
import io.tailstream.decide.TraceFacts;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.OtlpDecodeException;
import io.tailstream.otlp.TraceSplitter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * What-if replay: assembles traces offline from recorded input and decides them with the same
 * code as {@code run}, writing nothing anywhere. Every record is read before any trace is decided
 * (a trace is "complete" when the input is), and traces are then decided in order of their end
 * time, which is also the clock that rate limits and learned thresholds see.
 *
 * <p>Memory: one summary per trace (a few hundred bytes), so replay a bounded range
 * ({@code --limit}, {@code --since}) of a busy topic.
 */
public final class Replay {
  /** Traces, spans and bytes kept by one rule. */
  public record RuleStats(long traces, long spans, long bytes) {
    RuleStats plus(TraceFacts f) {
      return new RuleStats(traces + 1, spans + f.spanCount(), bytes + f.bytes());
    }
  }

  /**
   * The outcome. {@code onlyNew} counts, per rule of the replayed rules, traces they keep that the
   * compared rules drop; {@code onlyOld} the reverse, per rule of the compared rules. Both are
   * empty without a comparison.
   */
  public record Result(long records, long unreadable, long traces, long spans, long bytes,
      Map<String, RuleStats> keptByRule, Map<String, Long> onlyNew, Map<String, Long> onlyOld) {
    public long keptTraces() {
      return keptByRule.values().stream().mapToLong(RuleStats::traces).sum();
    }

    public long keptSpans() {
      return keptByRule.values().stream().mapToLong(RuleStats::spans).sum();
    }

    public long keptBytes() {
      return keptByRule.values().stream().mapToLong(RuleStats::bytes).sum();
    }
  }

  private static final class Trace {
    final byte[] id;
    TraceFacts facts;
    TraceFacts compareFacts;

    Trace(byte[] id) {
      this.id = id;
    }
  }

  private Replay() {}

  /**
   * Replays {@code source}. {@code compare} may be null; {@code progress} is told the number of
   * records read so far, every 1,000 records.
   */
  public static Result run(RecordSource source, OtlpCodec codec, Decider rules, Decider compare,
      LongConsumer progress) {
    Map<ByteString, Trace> traces = new HashMap<>();
    long records = 0;
    long unreadable = 0;
    for (byte[] value : source) {
      records++;
      if (records % 1000 == 0) {
        progress.accept(records);
      }
      TraceSplitter.Split split;
      try {
        split = TraceSplitter.split(codec.decode(value).request());
      } catch (OtlpDecodeException e) {
        unreadable++;
        continue;
      }
      for (Map.Entry<ByteString, TracesData> e : split.fragments().entrySet()) {
        TracesData fragment = e.getValue();
        long bytes = fragment.getSerializedSize();
        long nowMs = fragment.getResourceSpans(0).getScopeSpans(0).getSpans(0).getEndTimeUnixNano() / 1_000_000;
        Trace t = traces.computeIfAbsent(e.getKey(), id -> new Trace(id.toByteArray()));
        TraceFacts facts = rules.extractor().extract(fragment, bytes, nowMs);
        t.facts = t.facts == null ? facts : t.facts.merge(facts);
        if (compare != null) {
          TraceFacts other = compare.extractor().extract(fragment, bytes, nowMs);
          t.compareFacts = t.compareFacts == null ? other : t.compareFacts.merge(other);
        }
      }
    }
    progress.accept(records);

    List<Trace> ordered = new ArrayList<>(traces.values());
    ordered.sort((a, b) -> Long.compare(a.facts.maxEndNanos(), b.facts.maxEndNanos()));
    Map<String, RuleStats> kept = new TreeMap<>();
    Map<String, Long> onlyNew = new TreeMap<>();
    Map<String, Long> onlyOld = new TreeMap<>();
    long spans = 0;
    long bytes = 0;
    for (Trace t : ordered) {
      spans += t.facts.spanCount();
      bytes += t.facts.bytes();
      long nowMs = t.facts.maxEndNanos() / 1_000_000;
      Decision d = rules.decide(t.facts, t.id, nowMs);
      if (d.kept()) {
        kept.merge(d.rule(), new RuleStats(0, 0, 0).plus(t.facts), (a, x) -> a.plus(t.facts));
      }
      if (compare != null) {
        Decision old = compare.decide(t.compareFacts, t.id, nowMs);
        if (d.kept() && !old.kept()) {
          onlyNew.merge(d.rule(), 1L, Long::sum);
        } else if (old.kept() && !d.kept()) {
          onlyOld.merge(old.rule(), 1L, Long::sum);
        }
      }
    }
    return new Result(records, unreadable, ordered.size(), spans, bytes, kept, onlyNew, onlyOld);
  }
}
