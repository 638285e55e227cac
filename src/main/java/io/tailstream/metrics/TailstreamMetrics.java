package io.tailstream.metrics;

import io.tailstream.buffer.TraceSummary;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters of one tailstream instance, shared by all its stream threads. Cheap to update from
 * the hot path (striped adders); read by the periodic summary log and, later, the metrics endpoint.
 */
public final class TailstreamMetrics {
  private final LongAdder recordsIn = new LongAdder();
  private final LongAdder spansIn = new LongAdder();
  private final LongAdder deadLetterRecords = new LongAdder();
  private final LongAdder deadLetterSpans = new LongAdder();
  private final LongAdder keyMismatches = new LongAdder();
  private final LongAdder lateSpansKept = new LongAdder();
  private final LongAdder lateSpansDropped = new LongAdder();
  private final LongAdder spansOut = new LongAdder();
  private final LongAdder recordsOut = new LongAdder();
  private final LongAdder factsRecomputed = new LongAdder();
  private final LongAdder rulesReloads = new LongAdder();
  private final LongAdder rulesReloadFailures = new LongAdder();
  private final LongAdder controlRejected = new LongAdder();
  private final org.HdrHistogram.Recorder decisionDelays = new org.HdrHistogram.Recorder(1, 3_600_000L, 2);
  private final org.HdrHistogram.Histogram decisionDelaysTotal = new org.HdrHistogram.Histogram(1, 3_600_000L, 2);
  private final org.HdrHistogram.Recorder decisionLateness = new org.HdrHistogram.Recorder(3_600_000L, 2);
  private final org.HdrHistogram.Histogram decisionLatenessTotal = new org.HdrHistogram.Histogram(3_600_000L, 2);
  private final AtomicLong bufferedTraces = new AtomicLong();
  private final AtomicLong bufferedBytes = new AtomicLong();
  private final Map<String, LongAdder> keptByRule = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> droppedByRule = new ConcurrentHashMap<>();
  private final Map<TraceSummary.Trigger, LongAdder> decisionsByTrigger =
      new EnumMap<>(TraceSummary.Trigger.class);

  public TailstreamMetrics() {
    for (TraceSummary.Trigger t : TraceSummary.Trigger.values()) {
      decisionsByTrigger.put(t, new LongAdder());
    }
  }

  public void recordIn(int spans) {
    recordsIn.increment();
    spansIn.add(spans);
  }

  public void deadLettered(int spans) {
    deadLetterRecords.increment();
    deadLetterSpans.add(spans);
  }

  public void keyMismatch() {
    keyMismatches.increment();
  }

  public void decided(boolean kept, String rule, TraceSummary.Trigger trigger) {
    (kept ? keptByRule : droppedByRule).computeIfAbsent(rule, r -> new LongAdder()).increment();
    decisionsByTrigger.get(trigger).increment();
  }

  /** Milliseconds from a trace's first span to its decision. */
  public void decisionDelay(long ms) {
    decisionDelays.recordValue(Math.max(1, Math.min(3_600_000L, ms)));
  }

  /** A percentile of decision delays since start, in ms (0 before the first decision). */
  public synchronized double decisionDelayPercentile(double percentile) {
    decisionDelaysTotal.add(decisionDelays.getIntervalHistogram());
    return decisionDelaysTotal.getTotalCount() == 0 ? 0 : decisionDelaysTotal.getValueAtPercentile(percentile);
  }

  /**
   * Milliseconds between the time a trace fell due (wait, after-root or idle) and its decision:
   * how far the punctuator lags behind. Zero for decisions forced by caps.
   */
  public void decisionLateness(long ms) {
    decisionLateness.recordValue(Math.max(0, Math.min(3_600_000L, ms)));
  }

  /** A percentile of decision lateness since start, in ms (0 before the first decision). */
  public synchronized double decisionLatenessPercentile(double percentile) {
    decisionLatenessTotal.add(decisionLateness.getIntervalHistogram());
    return decisionLatenessTotal.getTotalCount() == 0 ? 0 : decisionLatenessTotal.getValueAtPercentile(percentile);
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

  public void rulesReloaded(boolean ok) {
    (ok ? rulesReloads : rulesReloadFailures).increment();
  }

  /** A control-topic message was refused (invalid or out of bounds). */
  public void controlRejected() {
    controlRejected.increment();
  }

  public long controlRejectedCount() {
    return controlRejected.sum();
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
    return deadLetterRecords.sum();
  }

  public long deadLetterSpans() {
    return deadLetterSpans.sum();
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

  public Map<String, Long> keptByRule() {
    return snapshot(keptByRule);
  }

  public Map<String, Long> droppedByRule() {
    return snapshot(droppedByRule);
  }

  public long tracesKept() {
    return keptByRule().values().stream().mapToLong(Long::longValue).sum();
  }

  public long tracesDropped() {
    return droppedByRule().values().stream().mapToLong(Long::longValue).sum();
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
    Map<String, Long> out = new TreeMap<>();
    counters.forEach((k, v) -> out.put(k, v.sum()));
    return out;
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
