package io.tailstream.topology;

import io.tailstream.adapt.StressGate;
import io.tailstream.buffer.ByTraceRecord;
import io.tailstream.buffer.DecisionMemory;
import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.InputClock;
import io.tailstream.buffer.TraceBuffer;
import io.tailstream.buffer.TraceSummary;
import io.tailstream.buffer.Watermark;
import io.tailstream.config.DecisionSettings;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.decide.Decision;
import io.tailstream.decide.TraceFacts;
import io.tailstream.metrics.InputTimeMetrics;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.TraceIds;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 3: buffers each trace's fragments and decides the trace when it is due, on input time.
 *
 * <p>The jobs are each in a class of their own: the {@link TraceBuffer} holds undecided traces,
 * the {@link DecisionMemory} the decisions late spans follow, the {@link InputClock} says how
 * far the input has been read. This class orchestrates: a fragment goes to its trace's earlier
 * decision if there is one, else into the buffer; a {@link Watermark} that moves the clock
 * decides every trace due by then. Decisions are therefore made at the same point of the input
 * whether it is read live, after an outage or as a backlog. The wall clock is left to what
 * follows it by nature (rate limits, boosts, stress relief).
 */
final class BufferAndDecideProcessor implements Processor<Bytes, ByTraceRecord, String, byte[]> {
  private static final Logger log = LoggerFactory.getLogger(BufferAndDecideProcessor.class);

  private final DecisionSettings settings;
  private final ActiveRules rules;
  private final KeptTraceEmitter emitter;
  private final TailstreamMetrics metrics;
  private final InputTimeMetrics inputTime;
  private final StressGate stress;
  private final InputClock clock;

  private ProcessorContext<String, byte[]> context;
  private TraceBuffer buffer;
  private DecisionMemory memory;
  private String task;

  /** @param sources how many input partitions feed this task: 1 with keyed input, else all */
  BufferAndDecideProcessor(DecisionSettings settings, ActiveRules rules, KeptTraceEmitter emitter,
      TailstreamMetrics metrics, StressGate stress, int sources) {
    this.settings = settings;
    this.rules = rules;
    this.emitter = emitter;
    this.metrics = metrics;
    this.inputTime = metrics.inputTime();
    this.stress = stress;
    this.clock = new InputClock(sources);
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.task = context.taskId().toString();
    this.buffer = new TraceBuffer(settings, context.getStateStore(StoreNames.TRACE_SPANS),
        context.getStateStore(StoreNames.TRACE_STATE), metrics::bufferedDelta, metrics::bufferedBytesDelta);
    this.memory = new DecisionMemory(settings.lateSpanTtl(), context.getStateStore(StoreNames.DECISIONS),
        context.getStateStore(StoreNames.DROPPED), clock::nowMs);
    if (buffer.traces() > 0) {
      // Decided once every source partition has said how far it has been read, not before.
      log.info("task {}: resumed {} buffered traces", task, buffer.traces());
    }
    context.schedule(settings.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::onWallClock);
  }

  /** Notices the end of stress when input stops, and shows how far the clock trails. */
  private void onWallClock(long wallMs) {
    metrics.stress(stress.stressed(metrics.bufferedBytes()));
    inputTime.clockBehind(task, clock.known() ? wallMs - clock.nowMs() : -1);
  }

  @Override
  public void process(Record<Bytes, ByTraceRecord> record) {
    if (record.value() instanceof Watermark mark) {
      if (clock.advance(mark)) {
        decideDue(clock.nowMs());
      }
      return;
    }
    Fragment fragment = (Fragment) record.value();
    Bytes traceId = record.key();
    long time = clock.place(record.timestamp());
    inputTime.adjustedFromPast(time - record.timestamp());
    // Before the clock is known (a task that just started) the fragment's own time stands in.
    long now = clock.known() ? clock.nowMs() : time;
    // A buffered trace has no decision yet; only a trace that is not buffered can be late.
    TraceSummary previous = buffer.summary(traceId);
    if (previous == null && followedEarlierDecision(traceId, fragment, now)) {
      return;
    }
    if (previous == null && stress.stressed(metrics.bufferedBytes())) {
      metrics.stress(true);
      decideAtOnce(traceId, fragment, now);
      return;
    }
    TraceSummary summary = buffer.append(traceId, previous, fragment, time);
    if (previous != null && summary.heldSpans() > previous.heldSpans()) {
      inputTime.held(fragment.facts().spanCount());
    }
    if (summary.overCaps(settings)) {
      decideOrDeadLetter(traceId, summary, now);
      memory.flush(now);
    }
  }

  /** A fragment of a trace decided within the late-span TTL follows that decision. */
  private boolean followedEarlierDecision(Bytes traceId, Fragment fragment, long now) {
    switch (memory.state(traceId, now)) {
      case DROPPED -> {
        metrics.lateSpans(false, fragment.facts().spanCount());
        return true;
      }
      case KEPT -> {
        Decision earlier = memory.kept(traceId, now); // null once the store let it expire
        if (earlier != null) {
          metrics.lateSpans(true, fragment.facts().spanCount());
          emitter.emit(context, traceId, List.of(fragment.tracesData()), fragment.facts().spanCount(),
              earlier, 0, true);
        }
        return earlier != null;
      }
      default -> {
        return false;
      }
    }
  }

  private void decideDue(long now) {
    buffer.forEachDue(now, (traceId, summary) -> decideOrDeadLetter(traceId, summary, now));
    memory.flush(now);
  }

  /**
   * Many traces are decided at once: one that throws must not stop the others, nor come back at
   * every watermark. Its spans go to the dead-letter topic with the exception, and it leaves the
   * buffer (a record's own failures reach {@code DeadLetterHandler} instead).
   */
  private void decideOrDeadLetter(Bytes traceId, TraceSummary summary, long now) {
    try {
      decide(traceId, summary, now);
    } catch (RuntimeException e) {
      log.error("deciding trace {} failed; its spans go to the dead-letter topic",
          TraceIds.hex(traceId.get()), e);
      if (buffer.summary(traceId) != null) {
        buffer.forget(traceId, summary);
      }
      String key = TraceIds.hex(traceId.get());
      for (byte[] fragment : buffer.fragments(traceId, summary)) {
        emitter.deadLetter(context, key, fragment, e, context.currentSystemTimeMs());
      }
    }
  }

  private void decide(Bytes traceId, TraceSummary summary, long now) {
    Decider decider = rules.current();
    List<byte[]> fragments = null;
    TraceFacts facts = summary.facts();
    if (!decider.understands(facts)) {
      // Summarized under rules that were since reloaded: recompute from the buffered spans.
      fragments = buffer.fragments(traceId, summary);
      if (fragments.isEmpty()) {
        spansGone(traceId, summary, now);
        return;
      }
      facts = recompute(decider, fragments);
      metrics.factsRecomputed();
    }
    // Rate limits and boosts follow the wall clock: they are about traffic now, not input time.
    Decision decision = decider.decide(facts, traceId.get(), context.currentSystemTimeMs());
    if (decision.kept() && fragments == null) {
      fragments = buffer.fragments(traceId, summary);
      if (fragments.isEmpty()) {
        spansGone(traceId, summary, now);
        return;
      }
    }
    TraceSummary.Trigger trigger = summary.trigger(settings, now);
    buffer.forget(traceId, summary);
    memory.remember(traceId, decision, now);
    metrics.decided(decision.kept(), decision.rule(), trigger);
    metrics.decisionDelay(now - summary.firstMs());
    metrics.decisionLateness(Math.max(0, now - summary.dueAtMs(settings)));
    if (log.isDebugEnabled()) {
      log.debug("trace {}: {} after {} ({} spans, {} ms of input buffered)", TraceIds.hex(traceId.get()),
          decision, trigger, summary.spanCount(), now - summary.firstMs());
    }
    if (decision.kept()) {
      emitter.emit(context, traceId, fragments, summary.spanCount(), decision, now - summary.firstMs(), false);
    }
  }

  /**
   * The trace is due but its buffered spans are gone (their window-store segment expired):
   * nothing can be emitted, and a kept trace must not be counted as one. Counted and logged.
   */
  private void spansGone(Bytes traceId, TraceSummary summary, long now) {
    buffer.forget(traceId, summary);
    metrics.traceWithoutSpans();
    log.warn("trace {} is due but its {} buffered spans are gone ({} ms of input after its first "
        + "fragment); nothing was emitted", TraceIds.hex(traceId.get()), summary.spanCount(),
        now - summary.firstMs());
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
    memory.remember(traceId, decision, now);
    memory.flush(now);
    metrics.decided(decision.kept(), decision.rule(), TraceSummary.Trigger.STRESS);
    if (decision.kept()) {
      emitter.emit(context, traceId, List.of(fragment.tracesData()), fragment.facts().spanCount(),
          decision, 0, false);
    }
  }

  @Override
  public void close() {
    if (buffer != null) {
      buffer.close();
      memory.close();
    }
    inputTime.taskClosed(task);
  }

  static Duration spansRetention(DecisionSettings s) {
    // Fragments are needed until the decision, at most wait after the first one on the input
    // clock. Fragments are stored at their own input time, which may run ahead of the clock by
    // as much as one source partition is ahead of the slowest: the margin covers that (a task
    // move takes a session timeout, 45 s by default) and a paused partition of a few minutes.
    return s.maxWait().multipliedBy(2).plus(s.checkInterval()).plus(Duration.ofMinutes(5));
  }
}
