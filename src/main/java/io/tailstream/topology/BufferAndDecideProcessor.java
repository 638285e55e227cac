package io.tailstream.topology;

import io.tailstream.adapt.ByteBudget;
import io.tailstream.adapt.StressGate;
import io.tailstream.buffer.BufferLog;
import io.tailstream.buffer.BufferPosition;
import io.tailstream.buffer.ByTraceRecord;
import io.tailstream.buffer.DecidedIndex;
import io.tailstream.buffer.DecisionMemory;
import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.FragmentBatch;
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
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
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
 *
 * <p>The buffer is a cache of its log. When the task starts without a local buffer it can trust
 * ({@link BufferRestore}), it reads the log again from the changelogged {@link BufferPosition}
 * and buffers what is not decided yet, before Kafka Streams hands it the next record. After each
 * watermark the position follows the oldest undecided trace.
 */
final class BufferAndDecideProcessor implements Processor<Bytes, ByTraceRecord, String, byte[]> {
  private static final Logger LOG = LoggerFactory.getLogger(BufferAndDecideProcessor.class);

  private static final int TRACE_ID_BYTES = 16;

  private final DecisionSettings settings;
  private final ActiveRules rules;
  private final KeptTraceEmitter emitter;
  private final TailstreamMetrics metrics;
  private final InputTimeMetrics inputTime;
  private final StressGate stress;
  private final InputClock clock;

  private final Log log;
  private final ByteBudget heap;

  private ProcessorContext<String, byte[]> context;
  private TraceBuffer buffer;
  private DecisionMemory memory;
  private KeyValueStore<Bytes, BufferPosition> positions;
  private KeyValueStore<Bytes, byte[]> local;
  private BufferPosition position;
  private int epoch;
  private int partition;
  private String task;
  /** The offset after the last record of the log read, -1 while not known. */
  private long nextOffset = -1;

  /** The buffer's log, its topic and how its records read. */
  record Log(BufferLog log, String topic, LogDecoder decoder) {}

  /**
   * @param sources how many input partitions feed this task: 1 with keyed input, else all
   * @param log the log the buffer is rebuilt from
   * @param heap the instance's heap for buffered traces, shared with its other tasks
   */
  BufferAndDecideProcessor(DecisionSettings settings, ActiveRules rules, KeptTraceEmitter emitter,
      TailstreamMetrics metrics, StressGate stress, int sources, Log log, ByteBudget heap) {
    this.log = log;
    this.heap = heap;
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
    this.partition = context.taskId().partition();
    this.positions = context.getStateStore(StoreNames.BUFFER_POSITION);
    this.local = context.getStateStore(StoreNames.BUFFER_LOCAL);
    this.memory = new DecisionMemory(settings.lateSpanTtl(), context.getStateStore(StoreNames.DECISIONS),
        context.getStateStore(StoreNames.DROPPED), clock::nowMs);
    position = positions.get(BufferRestore.POSITION_KEY);
    byte[] mark = local.get(BufferRestore.CLEAN_KEY);
    if (mark != null) {
      local.delete(BufferRestore.CLEAN_KEY); // good for one start only
    }
    BufferRestore.Plan plan = BufferRestore.plan(log.log(), log.topic(), partition, position, mark,
        new java.util.Random()::nextInt);
    this.epoch = plan.epoch();
    this.nextOffset = plan.nextOffset();
    KeyValueStore<Bytes, TraceSummary> summaries = context.getStateStore(StoreNames.TRACE_STATE);
    if (plan.wipe()) {
      TraceBuffer.wipe(summaries);
    }
    this.buffer = new TraceBuffer(settings, context.getStateStore(StoreNames.TRACE_SPANS), summaries, epoch,
        heap, metrics::bufferedDelta, metrics::bufferedBytesDelta);
    if (plan.rereads()) {
      reread(plan);
    }
    if (buffer.traces() > 0) {
      // Decided once every source partition has said how far it has been read, not before.
      LOG.info("task {}: {} {} buffered traces", task, plan.rereads() ? "rebuilt" : "resumed", buffer.traces());
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
    var metadata = context.recordMetadata();
    long offset = metadata.isPresent() ? metadata.get().offset() : -1; // no boxing per record
    if (record.value() instanceof Watermark mark) {
      if (offset >= 0) {
        nextOffset = offset + 1;
      }
      if (clock.advance(mark)) {
        decideDue(clock.nowMs());
      }
      persistPosition();
      return;
    }
    if (offset >= 0) {
      if (position == null || position.epoch() != epoch) {
        nextOffset = offset;
        persistPosition(); // before the first trace of this epoch: a commit must find it
      }
      nextOffset = offset + 1;
    }
    if (record.value() instanceof FragmentBatch batch) {
      for (FragmentBatch.Entry e : batch.entries()) {
        takeOrDeadLetter(e, record.timestamp(), offset);
      }
    } else {
      take(record.key(), (Fragment) record.value(), record.timestamp(), offset);
    }
  }

  /**
   * One trace of a batch that throws must not take the batch's other traces to the dead-letter
   * topic with it (as the exception handler would, with the whole record): its spans go there
   * alone. Store failures are not the fragment's fault and still stop the task.
   */
  private void takeOrDeadLetter(FragmentBatch.Entry e, long recordMs, long offset) {
    try {
      take(e.traceId(), e.fragment(), recordMs, offset);
    } catch (StreamsException failure) {
      throw failure;
    } catch (RuntimeException failure) {
      String key = TraceIds.hex(e.traceId().get());
      LOG.error("buffering a fragment of trace {} failed; its spans go to the dead-letter topic", key, failure);
      emitter.deadLetter(context, key, e.fragment().tracesData(), "buffering the fragment", failure,
          context.currentSystemTimeMs());
    }
  }

  private static boolean validTraceId(Bytes traceId) {
    return traceId != null && traceId.get().length == TRACE_ID_BYTES;
  }

  /** Where a fragment stands on arrival: its input time, the clock's now, its trace's summary. */
  private record Arrival(long timeMs, long nowMs, TraceSummary previous) {}

  private Arrival arrive(Bytes traceId, long recordMs) {
    long time = clock.place(recordMs);
    // Before the clock is known (a task that just started) the fragment's own time stands in.
    long now = clock.known() ? clock.nowMs() : time;
    // A buffered trace has no decision yet; only a trace that is not buffered can be late.
    return new Arrival(time, now, buffer.summary(traceId));
  }

  /** A fragment read at {@code offset} of the log: late, decided at once under stress, or buffered. */
  private void take(Bytes traceId, Fragment fragment, long recordMs, long offset) {
    if (!validTraceId(traceId)) {
      // Split only hands on valid ids: this came from elsewhere. Refused before any state changes.
      throw new IllegalArgumentException("a by-trace fragment whose trace id is "
          + (traceId == null ? "missing" : traceId.get().length + " bytes") + "; trace ids are 16 bytes");
    }
    Arrival a = arrive(traceId, recordMs);
    inputTime.adjustedFromPast(a.timeMs() - recordMs);
    TraceSummary previous = a.previous();
    if (previous == null && followedEarlierDecision(traceId, fragment, a.nowMs())) {
      return;
    }
    if (previous == null && stress.stressed(metrics.bufferedBytes())) {
      metrics.stress(true);
      decideAtOnce(traceId, fragment, a.nowMs());
      return;
    }
    TraceSummary summary = buffer.append(traceId, previous, fragment, a.timeMs(), offset);
    if (previous != null && summary.heldSpans() > previous.heldSpans()) {
      inputTime.held(fragment.facts().spanCount());
    }
    if (summary.overCaps(settings)) {
      decideOrDeadLetter(traceId, summary, a.nowMs());
      memory.flush(a.nowMs());
      persistPosition();
    }
  }

  /**
   * Reads the log again and buffers what is not decided: what this task had buffered when it
   * last committed. Nothing is decided or emitted here (init may not forward); the next
   * watermark decides what is due.
   */
  private void reread(BufferRestore.Plan plan) {
    long started = System.nanoTime();
    long wall = context.currentSystemTimeMs();
    BufferLog.Read read = log.log().read(log.topic(), partition, plan.from(), plan.until(), r -> {
      for (LogDecoder.Decoded d : log.decoder().decode(r, wall)) {
        if (d.value() instanceof Watermark mark) {
          clock.advance(mark);
        } else {
          rebuffer(d.key(), (Fragment) d.value(), d.timeMs(), r.offset());
        }
      }
    });
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    metrics.bufferLog().rebuilt(read.records(), read.bytes(), read.missing(), tookMs);
    LOG.info("task {}: read {}/{} offsets {} to {} again ({} records, {} bytes) in {} ms",
        task, log.topic(), partition, plan.from(), plan.until() - 1, read.records(), read.bytes(), tookMs);
    if (read.missing() > 0) {
      LOG.warn("task {}: {} records of {}/{} from offset {} were already deleted by retention: traces "
          + "buffered in them cannot come out whole. Raise the topic's retention.ms", task,
          read.missing(), log.topic(), partition, plan.from());
    }
  }

  private void rebuffer(Bytes traceId, Fragment fragment, long recordMs, long offset) {
    if (!validTraceId(traceId)) {
      return; // dead-lettered when it was first read
    }
    Arrival a = arrive(traceId, recordMs);
    if (a.previous() == null && memory.state(traceId, a.nowMs()) != DecidedIndex.State.UNKNOWN) {
      return; // decided before: its spans went out (or were dropped) then
    }
    buffer.append(traceId, a.previous(), fragment, a.timeMs(), offset);
  }

  /** Keeps the changelogged position at the oldest undecided trace (one write per change). */
  private void persistPosition() {
    if (nextOffset < 0 || !log.log().available()) {
      return;
    }
    long from = buffer.reReadFrom(nextOffset);
    if (position == null || position.reReadFrom() != from || position.epoch() != epoch) {
      position = new BufferPosition(from, epoch);
      positions.put(BufferRestore.POSITION_KEY, position);
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
      LOG.error("deciding trace {} failed; its spans go to the dead-letter topic",
          TraceIds.hex(traceId.get()), e);
      List<byte[]> fragments = List.of();
      if (buffer.summary(traceId) != null) {
        fragments = buffer.fragments(traceId, summary); // before forget: a heap trace's go with it
        buffer.forget(traceId, summary);
      }
      String key = TraceIds.hex(traceId.get());
      for (byte[] fragment : fragments) {
        emitter.deadLetter(context, key, fragment, "deciding the trace", e, context.currentSystemTimeMs());
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
    memory.remember(traceId, decision, now);
    metrics.decided(decision.kept(), decision.rule(), trigger);
    metrics.modelsOfDecided(facts.modelMaxNanos());
    if (!facts.rootSeen()) {
      metrics.decidedWithoutRoot();
    }
    metrics.decisionDelay(now - summary.firstMs());
    metrics.decisionLateness(Math.max(0, now - summary.dueAtMs(settings)));
    if (LOG.isDebugEnabled()) {
      LOG.debug("trace {}: {} after {} ({} spans, {} ms of input buffered)", TraceIds.hex(traceId.get()),
          decision, trigger, summary.spanCount(), now - summary.firstMs());
    }
    if (decision.kept()) {
      emitter.emit(context, traceId, fragments, summary.spanCount(), decision, now - summary.firstMs(), false);
    }
    // Last: a trace whose emission throws is still buffered, so its spans can be dead-lettered.
    buffer.forget(traceId, summary);
  }

  /**
   * The trace is due but its buffered spans are gone (their window-store segment expired):
   * nothing can be emitted, and a kept trace must not be counted as one. Counted and logged.
   */
  private void spansGone(Bytes traceId, TraceSummary summary, long now) {
    buffer.forget(traceId, summary);
    metrics.traceWithoutSpans();
    LOG.warn("trace {} is due but its {} buffered spans are gone ({} ms of input after its first "
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
    metrics.modelsOfDecided(fragment.facts().modelMaxNanos());
    if (!fragment.facts().rootSeen()) {
      metrics.decidedWithoutRoot();
    }
    if (decision.kept()) {
      emitter.emit(context, traceId, List.of(fragment.tracesData()), fragment.facts().spanCount(),
          decision, 0, false);
    }
  }

  @Override
  public void close() {
    if (buffer != null) {
      if (nextOffset >= 0 && log.log().available()) {
        // Kafka Streams committed before closing the task: the local buffer matches that commit.
        local.put(BufferRestore.CLEAN_KEY, BufferRestore.cleanMark(epoch, nextOffset));
      }
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
