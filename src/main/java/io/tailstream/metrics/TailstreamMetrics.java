package io.tailstream.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tailstream.adapt.ControlRefusal;
import io.tailstream.buffer.TraceSummary;
import io.tailstream.decide.Decision;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one tailstream instance, shared by all its stream threads. Cheap to update from
 * the hot path (striped adders); exported through the Micrometer registry given at construction
 * (function counters read the adders at scrape time, so the hot path never touches Micrometer
 * except for the two decision timers), and read by the periodic summary log.
 *
 * <p>Labels stay low-cardinality: rule names come from the rules file (see {@link RuleCounters}),
 * triggers and dead-letter reasons are enums.
 */
public final class TailstreamMetrics {
  /** Why a record, or part of it, went to the dead-letter topic; the {@code reason} label. */
  public enum DeadLetterReason {
    /** Not readable in the configured encoding at all; the whole record is dead-lettered. */
    UNREADABLE,
    /** Spans without a valid 16-byte trace id; only those spans are dead-lettered. */
    INVALID_TRACE_ID,
    /** Processing the record threw (a bug or an input nobody foresaw); the record is dead-lettered. */
    PROCESSING_ERROR,
    /** An internal record (repartition topic) that cannot be read: corruption or a newer format. */
    CORRUPT_INTERNAL,
    /** A kept span that does not fit the output record limit even shortened. */
    OVERSIZED_SPAN;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final MeterRegistry registry;
  private final LongAdder recordsIn = new LongAdder();
  private final LongAdder spansIn = new LongAdder();
  private final Map<DeadLetterReason, LongAdder> deadLetterRecords = new EnumMap<>(DeadLetterReason.class);
  private final Map<DeadLetterReason, LongAdder> deadLetterSpans = new EnumMap<>(DeadLetterReason.class);
  private final LongAdder keyMismatches = new LongAdder();
  private final LongAdder decidedWithoutRoot = new LongAdder();
  private final LongAdder lateSpansKept = new LongAdder();
  private final LongAdder lateSpansDropped = new LongAdder();
  private final LongAdder spansOut = new LongAdder();
  private final LongAdder recordsOut = new LongAdder();
  private final LongAdder factsRecomputed = new LongAdder();
  private final LongAdder tracesWithoutSpans = new LongAdder();
  private final LongAdder rulesReloads = new LongAdder();
  private final LongAdder rulesReloadFailures = new LongAdder();
  private final Map<ControlRefusal.Reason, LongAdder> controlRejected =
      new EnumMap<>(ControlRefusal.Reason.class);
  private final InputTimeMetrics inputTime;
  private final BufferLogMetrics bufferLog;
  private final MillisHistogram decisionDelays;
  private final MillisHistogram decisionLateness;
  private final AtomicLong bufferedTraces = new AtomicLong();
  private final AtomicLong bufferedBytes = new AtomicLong();
  private volatile io.tailstream.adapt.ByteBudget heapBuffer;
  private final AtomicInteger stressActive = new AtomicInteger();
  private final MultiGauge rulesVersion;
  private final RuleCounters keptByRule;
  private final RuleCounters droppedByRule;
  private final Map<TraceSummary.Trigger, LongAdder> decisionsByTrigger =
      new EnumMap<>(TraceSummary.Trigger.class);
  private volatile StageMeters stages;

  /** Counters that nothing exports (tests, replay, the bench's own bookkeeping). */
  public TailstreamMetrics() {
    this(new SimpleMeterRegistry());
  }

  public TailstreamMetrics(MeterRegistry registry) {
    this.registry = registry;
    count("tailstream.records.in", "OTLP records read from the input topic", recordsIn, Tags.empty());
    count("tailstream.spans.in", "spans read from the input topic", spansIn, Tags.empty());
    count("tailstream.records.out", "records written to the output topic", recordsOut, Tags.empty());
    count("tailstream.spans.out", "spans written to the output topic (kept traces and late spans)", spansOut, Tags.empty());
    for (DeadLetterReason r : DeadLetterReason.values()) {
      deadLetterRecords.put(r, new LongAdder());
      deadLetterSpans.put(r, new LongAdder());
      count("tailstream.dead.letter.records", "records (or parts) written to the dead-letter topic",
          deadLetterRecords.get(r), Tags.of("reason", r.label()));
      count("tailstream.dead.letter.spans", "spans written to the dead-letter topic",
          deadLetterSpans.get(r), Tags.of("reason", r.label()));
    }
    count("tailstream.traces.decided.without.root", "traces decided before (or without) their root "
        + "span: a collector that drops it, a root still on its way, a trace that has none",
        decidedWithoutRoot, Tags.empty());
    count("tailstream.key.mismatches", "input records whose key is not the trace id of their spans "
        + "(with input.keyed-by-trace-id)", keyMismatches, Tags.empty());
    count("tailstream.late.spans", "spans arriving after their trace was decided",
        lateSpansKept, Tags.of("outcome", "kept"));
    count("tailstream.late.spans", "spans arriving after their trace was decided",
        lateSpansDropped, Tags.of("outcome", "dropped"));
    count("tailstream.facts.recomputed", "buffered traces whose facts were recomputed after a rules reload",
        factsRecomputed, Tags.empty());
    count("tailstream.traces.without.spans", "traces due whose buffered spans were gone (expired, "
        + "or the clock stepped back); nothing was emitted", tracesWithoutSpans, Tags.empty());
    count("tailstream.rules.reloads", "rules file changes applied or refused", rulesReloads,
        Tags.of("result", "applied"));
    count("tailstream.rules.reloads", "rules file changes applied or refused", rulesReloadFailures,
        Tags.of("result", "refused"));
    for (ControlRefusal.Reason r : ControlRefusal.Reason.values()) {
      controlRejected.put(r, new LongAdder());
      count("tailstream.control.rejected", "control-topic messages refused, by reason",
          controlRejected.get(r), Tags.of("reason", r.label()));
    }
    for (TraceSummary.Trigger t : TraceSummary.Trigger.values()) {
      decisionsByTrigger.put(t, new LongAdder());
      count("tailstream.decisions", "decisions by what triggered them (span_cap, byte_cap and stress are forced)",
          decisionsByTrigger.get(t), Tags.of("trigger", t.name().toLowerCase(Locale.ROOT)));
    }
    Gauge.builder("tailstream.buffered.traces", bufferedTraces, AtomicLong::get)
        .description("traces buffered on this instance, waiting for their decision").register(registry);
    Gauge.builder("tailstream.buffered.bytes", bufferedBytes, AtomicLong::get).baseUnit("bytes")
        .description("OTLP bytes of the traces buffered on this instance").register(registry);
    Gauge.builder("tailstream.buffered.heap.bytes", this, m -> m.heapBuffer == null ? 0 : m.heapBuffer.used())
        .baseUnit("bytes").description("heap held by traces buffered on the heap rather than in RocksDB "
            + "(within memory.heap-buffer)").register(registry);
    Gauge.builder("tailstream.stress.active", stressActive, AtomicInteger::get)
        .description("1 while stress relief decides new traces at once").register(registry);
    // Delay buckets around decision.wait; lateness buckets around the check interval.
    decisionDelays = new MillisHistogram(registry, "tailstream.decision.delay",
        "from a trace's first span to its decision", 1,
        1_000, 2_000, 5_000, 10_000, 15_000, 20_000, 30_000, 45_000, 60_000, 120_000, 300_000, 600_000);
    decisionLateness = new MillisHistogram(registry, "tailstream.decision.lateness",
        "from the time a trace fell due to its decision", 0,
        10, 50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000, 30_000);
    rulesVersion = MultiGauge.builder("tailstream.rules.version")
        .description("1, labelled with the version (content hash) of the rules in force").register(registry);
    inputTime = new InputTimeMetrics(registry);
    bufferLog = new BufferLogMetrics(registry);
    keptByRule = new RuleCounters(registry, "kept");
    droppedByRule = new RuleCounters(registry, "dropped");
    keptByRule.of(Decision.NO_RULE);
    droppedByRule.of(Decision.NO_RULE);
  }

  /**
   * Exports the per-stage meters, labelled with {@code stageLabels} (indexed as the stage map
   * numbers them), under these caps; the instance's adaptive state is then given them to feed.
   */
  public StageMeters meterStages(List<String> stageLabels, int maxServices, int maxModels,
      int maxSeries) {
    StageMeters m = new StageMeters(registry, stageLabels, maxServices, maxModels, maxSeries);
    this.stages = m;
    return m;
  }

  /** A trace was decided with these per-model maxima: the ensemble meter counts its slowest. */
  public void modelsOfDecided(Map<String, Long> modelMaxNanos) {
    StageMeters m = stages;
    if (m != null) {
      m.decided(modelMaxNanos);
    }
  }

  /** The metrics of buffer rebuilds from the log. */
  public BufferLogMetrics bufferLog() {
    return bufferLog;
  }

  /** The metrics of decisions on input time. */
  public InputTimeMetrics inputTime() {
    return inputTime;
  }

  /** The registry these metrics are exported through. */
  public MeterRegistry registry() {
    return registry;
  }

  private void count(String name, String description, LongAdder adder, Tags tags) {
    FunctionCounter.builder(name, adder, LongAdder::doubleValue).description(description).tags(tags)
        .register(registry);
  }

  /**
   * The rules in force changed (or were first loaded): their version becomes the one labelled 1,
   * and each rule's kept counter exists at 0 before the rule first fires, for dashboards.
   */
  public void rulesLoaded(String version, Iterable<String> ruleNames) {
    ruleNames.forEach(keptByRule::of);
    rulesVersion.register(List.of(MultiGauge.Row.of(Tags.of("version", version), 1)), true);
  }

  public void recordIn(int spans) {
    recordsIn.increment();
    spansIn.add(spans);
  }

  public void deadLettered(DeadLetterReason reason, int spans) {
    deadLetterRecords.get(reason).increment();
    deadLetterSpans.get(reason).add(spans);
  }

  /** A trace was decided and none of its spans is a root span. */
  public void decidedWithoutRoot() {
    decidedWithoutRoot.increment();
  }

  public long decidedWithoutRootCount() {
    return decidedWithoutRoot.sum();
  }

  public void keyMismatch() {
    keyMismatches.increment();
  }

  public void decided(boolean kept, String rule, TraceSummary.Trigger trigger) {
    (kept ? keptByRule : droppedByRule).of(rule).increment();
    decisionsByTrigger.get(trigger).increment();
  }

  /** Milliseconds from a trace's first span to its decision. */
  public void decisionDelay(long ms) {
    decisionDelays.record(ms);
  }

  /** A percentile of decision delays since start, in ms (0 before the first decision). */
  public double decisionDelayPercentile(double percentile) {
    return decisionDelays.percentile(percentile);
  }

  /**
   * Milliseconds between the time a trace fell due (wait, after-root or idle) and its decision:
   * how far the punctuator lags behind. Zero for decisions forced by caps.
   */
  public void decisionLateness(long ms) {
    decisionLateness.record(ms);
  }

  /** A percentile of decision lateness since start, in ms (0 before the first decision). */
  public double decisionLatenessPercentile(double percentile) {
    return decisionLateness.percentile(percentile);
  }

  public void lateSpans(boolean kept, int spans) {
    (kept ? lateSpansKept : lateSpansDropped).add(spans);
  }

  public void emitted(int records, int spans) {
    recordsOut.add(records);
    spansOut.add(spans);
  }

  /** A trace summarized under reloaded rules had its facts recomputed from its spans. */
  public void factsRecomputed() {
    factsRecomputed.increment();
  }

  /** A trace fell due but its buffered spans were gone: nothing could be emitted. */
  public void traceWithoutSpans() {
    tracesWithoutSpans.increment();
  }

  public void rulesReloaded(boolean ok) {
    (ok ? rulesReloads : rulesReloadFailures).increment();
  }

  /** A control-topic message was refused. */
  public void controlRejected(ControlRefusal.Reason reason) {
    controlRejected.get(reason).increment();
  }

  /** The broker refused a record to {@code topic} as too large; it was skipped (and logged). */
  public void recordRefused(String topic) {
    recordRefused(topic, 1);
  }

  public void recordRefused(String topic, int records) {
    io.micrometer.core.instrument.Counter.builder("tailstream.records.refused")
        .description("records the broker refused as too large for their topic; skipped")
        .tag("topic", topic).register(registry).increment(records);
  }

  /** The admin port closed a client before answering it; {@code reason} says why. */
  public void adminRefused(String reason) {
    io.micrometer.core.instrument.Counter.builder("tailstream.admin.refused")
        .description("admin-port clients closed before their request was answered (slow, "
            + "oversized, malformed, or evicted for a newer connection)")
        .tag("reason", reason).register(registry).increment();
  }

  /** Whether stress relief is on (the latest state any stream thread saw). */
  public void stress(boolean active) {
    stressActive.lazySet(active ? 1 : 0);
  }

  /** Control-topic messages refused, for every reason. */
  public long controlRejectedCount() {
    return controlRejected.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long controlRejectedCount(ControlRefusal.Reason reason) {
    return controlRejected.get(reason).sum();
  }

  public long tracesWithoutSpans() {
    return tracesWithoutSpans.sum();
  }

  /** Dead letters (records or parts) written for {@code reason}. */
  public long deadLetterRecords(DeadLetterReason reason) {
    return deadLetterRecords.get(reason).sum();
  }

  public long factsRecomputedCount() {
    return factsRecomputed.sum();
  }

  public long rulesReloads() {
    return rulesReloads.sum();
  }

  public long rulesReloadFailures() {
    return rulesReloadFailures.sum();
  }

  /** The heap budget the buffers of this instance draw on, for its gauge. */
  public void watchHeapBuffer(io.tailstream.adapt.ByteBudget budget) {
    this.heapBuffer = budget;
  }

  public void bufferedBytesDelta(long delta) {
    bufferedBytes.addAndGet(delta);
  }

  /** Encoded bytes of all traces buffered on this instance. */
  public long bufferedBytes() {
    return bufferedBytes.get();
  }

  public void bufferedDelta(long delta) {
    bufferedTraces.addAndGet(delta);
  }

  public long recordsIn() {
    return recordsIn.sum();
  }

  public long spansIn() {
    return spansIn.sum();
  }

  public long deadLetterRecords() {
    return deadLetterRecords.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long deadLetterSpans() {
    return deadLetterSpans.values().stream().mapToLong(LongAdder::sum).sum();
  }

  public long keyMismatches() {
    return keyMismatches.sum();
  }

  public long lateSpansKept() {
    return lateSpansKept.sum();
  }

  public long lateSpansDropped() {
    return lateSpansDropped.sum();
  }

  public long spansOut() {
    return spansOut.sum();
  }

  public long recordsOut() {
    return recordsOut.sum();
  }

  public long bufferedTraces() {
    return bufferedTraces.get();
  }

  public long decisions(TraceSummary.Trigger trigger) {
    return decisionsByTrigger.get(trigger).sum();
  }

  /** Traces kept per rule that kept at least one (pre-registered rules at zero are left out). */
  public Map<String, Long> keptByRule() {
    return keptByRule.snapshot();
  }

  public Map<String, Long> droppedByRule() {
    return droppedByRule.snapshot();
  }

  public long tracesKept() {
    return keptByRule().values().stream().mapToLong(Long::longValue).sum();
  }

  public long tracesDropped() {
    return droppedByRule().values().stream().mapToLong(Long::longValue).sum();
  }

  /** The one-line summary logged periodically. */
  public String summaryLine() {
    return "in: " + recordsIn() + " records, " + spansIn() + " spans | buffered: " + bufferedTraces()
        + " traces | kept: " + keptByRule() + " | dropped: " + droppedByRule()
        + " | out: " + recordsOut() + " records, " + spansOut() + " spans | late spans kept/dropped: "
        + lateSpansKept() + "/" + lateSpansDropped() + " | dead-lettered: " + deadLetterRecords()
        + " records, " + deadLetterSpans() + " spans | key mismatches: " + keyMismatches()
        + " | forced by caps: "
        + (decisions(TraceSummary.Trigger.SPAN_CAP) + decisions(TraceSummary.Trigger.BYTE_CAP));
  }
}
