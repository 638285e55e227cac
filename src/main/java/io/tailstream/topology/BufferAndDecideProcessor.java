package io.tailstream.topology;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tailstream.buffer.DecidedIndex;
import io.tailstream.buffer.DueIndex;
import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.TraceSummary;
import io.tailstream.config.DecisionSettings;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.decide.TraceFacts;
import io.tailstream.decide.Decision;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.TraceIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 3: buffers each trace's fragments and decides the trace when it is due.
 *
 * <p>Per fragment: one append to {@code trace-spans} (a window store that keeps duplicates, so
 * no read-modify-write of a growing span list) and one small update of the trace's summary in
 * {@code trace-state}. A wall-clock punctuator takes due traces from an in-memory {@link DueIndex},
 * evaluates the rules on the summary, emits kept traces whole and remembers the decision in
 * {@code decisions} (Caffeine in front) so that late spans follow it. Dropped traces cost no
 * deletes: their fragments expire with the window store's segments.
 */
final class BufferAndDecideProcessor implements Processor<Bytes, Fragment, String, byte[]> {
  private static final Logger log = LoggerFactory.getLogger(BufferAndDecideProcessor.class);
  private static final Bytes DROPPED_BATCH_KEY = Bytes.wrap(new byte[] {'d'});

  private final DecisionSettings settings;
  private final ActiveRules rules;
  private final KeptTraceEmitter emitter;
  private final TailstreamMetrics metrics;
  private final DueIndex dueIndex = new DueIndex();
  private final DecidedIndex decidedIndex;
  private final Cache<Bytes, Decision> decisionCache;
  private final io.tailstream.adapt.StressGate stress;

  private ProcessorContext<String, byte[]> context;
  private WindowStore<Bytes, byte[]> spans;
  private KeyValueStore<Bytes, TraceSummary> summaries;
  private WindowStore<Bytes, Decision> decisions;
  private WindowStore<Bytes, byte[]> dropped;
  /** Ids of traces dropped since the last write to {@code dropped}, 16 bytes each. */
  private final java.io.ByteArrayOutputStream pendingDropped = new java.io.ByteArrayOutputStream(4096);
  private long buffered;
  private long bufferedBytes;
  private boolean restoredTracesChecked;

  BufferAndDecideProcessor(DecisionSettings settings, ActiveRules rules, KeptTraceEmitter emitter,
      TailstreamMetrics metrics, io.tailstream.adapt.StressGate stress) {
    this.stress = stress;
    this.settings = settings;
    this.rules = rules;
    this.emitter = emitter;
    this.metrics = metrics;
    this.decidedIndex = new DecidedIndex(settings.lateSpanTtl().toMillis());
    // The cache's clock is the stream's wall clock, so it expires exactly when the store does
    // (and moves with TopologyTestDriver's mocked time in tests).
    this.decisionCache = Caffeine.newBuilder()
        .ticker(() -> context.currentSystemTimeMs() * 1_000_000L)
        .expireAfterWrite(settings.lateSpanTtl())
        .maximumSize(100_000)
        .build();
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.spans = context.getStateStore(StoreNames.TRACE_SPANS);
    this.summaries = context.getStateStore(StoreNames.TRACE_STATE);
    this.decisions = context.getStateStore(StoreNames.DECISIONS);
    this.dropped = context.getStateStore(StoreNames.DROPPED);
    // The index is derived state: rebuild it from the restored summaries.
    try (KeyValueIterator<Bytes, TraceSummary> all = summaries.all()) {
      while (all.hasNext()) {
        KeyValue<Bytes, TraceSummary> e = all.next();
        dueIndex.schedule(e.key, e.value.dueAtMs(settings));
        buffered++;
        bufferedBytes += e.value.facts().bytes();
      }
    }
    try (KeyValueIterator<Windowed<Bytes>, Decision> all = decisions.all()) {
      while (all.hasNext()) {
        KeyValue<Windowed<Bytes>, Decision> decided = all.next();
        decidedIndex.add(decided.key.key(), decided.value.kept(), decided.key.window().start());
      }
    }
    try (KeyValueIterator<Windowed<Bytes>, byte[]> all = dropped.all()) {
      while (all.hasNext()) {
        KeyValue<Windowed<Bytes>, byte[]> batch = all.next();
        for (int i = 0; i + 16 <= batch.value.length; i += 16) {
          decidedIndex.add(Bytes.wrap(java.util.Arrays.copyOfRange(batch.value, i, i + 16)), false,
              batch.key.window().start());
        }
      }
    }
    metrics.bufferedDelta(buffered);
    metrics.bufferedBytesDelta(bufferedBytes);
    if (buffered > 0) {
      log.info("task {}: resumed {} buffered traces", context.taskId(), buffered);
    }
    context.schedule(settings.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::decideDue);
  }

  @Override
  public void process(Record<Bytes, Fragment> record) {
    long now = context.currentSystemTimeMs();
    if (!restoredTracesChecked) {
      // Decide traces that fell due while no instance ran this task before new appends advance
      // the window store's time and expire their fragments.
      restoredTracesChecked = true;
      decideDue(now);
    }
    Bytes traceId = record.key();
    Fragment fragment = record.value();
    // A buffered trace has no decision yet; only a trace that is not buffered can be late.
    TraceSummary previous = dueIndex.mayContain(traceId) ? summaries.get(traceId) : null;
    if (previous == null && followedEarlierDecision(traceId, fragment, now)) {
      return;
    }
    if (previous == null && stress.stressed(metrics.bufferedBytes())) {
      metrics.stress(true);
      decideAtOnce(traceId, fragment, now);
      return;
    }
    TraceSummary summary = previous == null
        ? TraceSummary.first(fragment.facts(), now)
        : previous.add(fragment.facts(), now);
    // Stored at the trace's latest arrival time, which never goes back: if the wall clock steps
    // back, the fragment still lies inside [firstArrival, lastArrival], the range fetched.
    spans.put(traceId, fragment.tracesData(), summary.lastArrivalMs());
    summaries.put(traceId, summary);
    bufferedBytes += fragment.tracesData().length;
    metrics.bufferedBytesDelta(fragment.tracesData().length);
    long due = summary.dueAtMs(settings);
    if (previous == null) {
      buffered++;
      metrics.bufferedDelta(1);
      dueIndex.schedule(traceId, due);
    } else if (due < previous.dueAtMs(settings)) {
      dueIndex.schedule(traceId, due);
    }
    if (summary.overCaps(settings)) {
      decideOrDeadLetter(traceId, summary, now);
      persistDropped(now);
    }
  }

  /** A fragment of a trace decided within the late-span TTL follows that decision. */
  private boolean followedEarlierDecision(Bytes traceId, Fragment fragment, long now) {
    switch (decidedIndex.state(traceId, now)) {
      case DROPPED -> {
        metrics.lateSpans(false, fragment.facts().spanCount());
        return true;
      }
      case KEPT -> {
        Decision earlier = decisionOf(traceId, now); // null once the store let it expire
        if (earlier != null) {
          handleLate(traceId, fragment, earlier, now);
        }
        return earlier != null;
      }
      default -> {
        return false;
      }
    }
  }

  private void decideDue(long now) {
    restoredTracesChecked = true;
    // Also notices the end of stress when input stops; the gauge follows within a check interval.
    metrics.stress(stress.stressed(metrics.bufferedBytes()));
    dueIndex.pollDue(now, traceId -> {
      TraceSummary summary = summaries.get(traceId);
      if (summary == null) {
        return; // decided earlier (caps, or an earlier index entry)
      }
      long due = summary.dueAtMs(settings);
      if (due > now) {
        dueIndex.schedule(traceId, due);
      } else {
        decideOrDeadLetter(traceId, summary, now);
      }
    });
    persistDropped(now);
  }

  /**
   * A punctuation decides many traces: one that throws must not stop the others, nor come back
   * at every punctuation. Its spans go to the dead-letter topic with the exception, and it leaves
   * the buffer (a record's own failures reach {@code DeadLetterHandler} instead).
   */
  private void decideOrDeadLetter(Bytes traceId, TraceSummary summary, long now) {
    try {
      decide(traceId, summary, now);
    } catch (RuntimeException e) {
      log.error("deciding trace {} failed; its spans go to the dead-letter topic",
          TraceIds.hex(traceId.get()), e);
      if (summaries.get(traceId) != null) {
        forget(traceId, summary);
      }
      String key = TraceIds.hex(traceId.get());
      for (byte[] fragment : fragmentsOf(traceId, summary)) {
        emitter.deadLetter(context, key, fragment, e, now);
      }
    }
  }

  /** Takes a trace out of the buffer; its fragments expire with the window store's segments. */
  private void forget(Bytes traceId, TraceSummary summary) {
    summaries.delete(traceId);
    buffered--;
    metrics.bufferedDelta(-1);
    bufferedBytes -= summary.facts().bytes();
    metrics.bufferedBytesDelta(-summary.facts().bytes());
  }

  private void decide(Bytes traceId, TraceSummary summary, long now) {
    Decider decider = rules.current();
    List<byte[]> fragments = null;
    TraceFacts facts = summary.facts();
    if (!decider.understands(facts)) {
      // Summarized under rules that were since reloaded: recompute from the buffered spans.
      fragments = fragmentsOf(traceId, summary);
      if (fragments.isEmpty()) {
        spansGone(traceId, summary, now);
        return;
      }
      facts = recompute(decider, fragments);
      metrics.factsRecomputed();
    }
    Decision decision = decider.decide(facts, traceId.get(), now);
    if (decision.kept() && fragments == null) {
      fragments = fragmentsOf(traceId, summary);
      if (fragments.isEmpty()) {
        spansGone(traceId, summary, now);
        return;
      }
    }
    TraceSummary.Trigger trigger = summary.trigger(settings, now);
    forget(traceId, summary);
    remember(traceId, decision, now);
    metrics.decided(decision.kept(), decision.rule(), trigger);
    metrics.decisionDelay(now - summary.firstArrivalMs());
    metrics.decisionLateness(now - summary.dueAtMs(settings));
    if (log.isDebugEnabled()) {
      log.debug("trace {}: {} after {} ({} spans, {} ms buffered)", TraceIds.hex(traceId.get()),
          decision, trigger, summary.facts().spanCount(), now - summary.firstArrivalMs());
    }
    if (decision.kept()) {
      emit(traceId, fragments, summary.facts().spanCount(), decision,
          now - summary.firstArrivalMs(), false);
    }
  }

  /**
   * The trace is due but its buffered spans are gone (their window-store segment expired, or the
   * clock stepped back so that they lie outside the fetched range): nothing can be emitted, and a
   * kept trace must not be counted as one. Counted and logged; late spans start afresh.
   */
  private void spansGone(Bytes traceId, TraceSummary summary, long now) {
    forget(traceId, summary);
    metrics.traceWithoutSpans();
    log.warn("trace {} is due but its {} buffered spans are gone ({} ms after its first fragment); "
        + "nothing was emitted", TraceIds.hex(traceId.get()), summary.facts().spanCount(),
        now - summary.firstArrivalMs());
  }

  private static TraceFacts recompute(Decider decider, List<byte[]> fragments) {
    TraceFacts facts = null;
    for (byte[] f : fragments) {
      TraceFacts one = decider.extractor().reextract(KeptTraceEmitter.parse(f), f.length);
      facts = facts == null ? one : facts.merge(one);
    }
    return facts;
  }

  /** Stress relief: a new trace is decided from its first fragment and never buffered. */
  private void decideAtOnce(Bytes traceId, Fragment fragment, long now) {
    Decider decider = rules.current();
    Decision decision = decider.decideUnderStress(fragment.facts(), traceId.get(),
        settings.stress().sample());
    remember(traceId, decision, now);
    persistDropped(now);
    metrics.decided(decision.kept(), decision.rule(), TraceSummary.Trigger.STRESS);
    if (decision.kept()) {
      emit(traceId, List.of(fragment.tracesData()), fragment.facts().spanCount(), decision, 0, false);
    }
  }

  private void handleLate(Bytes traceId, Fragment fragment, Decision decision, long now) {
    metrics.lateSpans(decision.kept(), fragment.facts().spanCount());
    if (decision.kept()) {
      emit(traceId, List.of(fragment.tracesData()), fragment.facts().spanCount(), decision, 0, true);
    }
  }

  private void emit(Bytes traceId, List<byte[]> fragments, int spanCount, Decision decision,
      long delayMs, boolean late) {
    emitter.emit(context, traceId, fragments, spanCount, decision, delayMs, late);
  }

  private List<byte[]> fragmentsOf(Bytes traceId, TraceSummary summary) {
    List<byte[]> out = new ArrayList<>();
    try (WindowStoreIterator<byte[]> it =
        spans.fetch(traceId, summary.firstArrivalMs(), summary.lastArrivalMs())) {
      while (it.hasNext()) {
        out.add(it.next().value);
      }
    }
    return out;
  }

  /**
   * Late spans follow the decision for the late-span TTL. A kept trace's decision is stored per
   * trace (its late spans are emitted with its rule and threshold); dropped ones, most of them,
   * only need their ids, written in one batch per punctuation by {@link #persistDropped}.
   */
  private void remember(Bytes traceId, Decision decision, long now) {
    if (decision.kept()) {
      decisions.put(traceId, decision, now);
      decisionCache.put(traceId, decision);
    } else {
      pendingDropped.writeBytes(traceId.get());
    }
    decidedIndex.add(traceId, decision.kept(), now);
  }

  /** Writes the ids dropped since the last call; before returning to Kafka Streams, which may commit. */
  private void persistDropped(long now) {
    if (pendingDropped.size() > 0) {
      dropped.put(DROPPED_BATCH_KEY, pendingDropped.toByteArray(), now);
      pendingDropped.reset();
    }
  }

  private Decision decisionOf(Bytes traceId, long now) {
    Decision cached = decisionCache.getIfPresent(traceId);
    if (cached != null) {
      return cached;
    }
    Decision found = null;
    long from = now - settings.lateSpanTtl().toMillis();
    try (WindowStoreIterator<Decision> it = decisions.fetch(traceId, from, now)) {
      while (it.hasNext()) {
        found = it.next().value; // the newest one wins
      }
    }
    return found;
  }

  @Override
  public void close() {
    metrics.bufferedDelta(-buffered);
    metrics.bufferedBytesDelta(-bufferedBytes);
    buffered = 0;
    bufferedBytes = 0;
    dueIndex.clear();
    decidedIndex.clear();
    pendingDropped.reset();
    decisionCache.invalidateAll();
  }

  static Duration spansRetention(DecisionSettings s) {
    // Fragments are needed until the decision (at most wait + one check interval); the margin
    // covers punctuation delays under load.
    return s.maxWait().multipliedBy(2).plus(s.checkInterval()).plus(Duration.ofMinutes(1));
  }
}
