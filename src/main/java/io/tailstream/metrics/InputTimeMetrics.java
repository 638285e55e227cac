package io.tailstream.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How decisions keep to the input's own time: records whose timestamps had to be adjusted,
 * fragments held past their trace's due time, and how far each task's input clock is behind
 * the wall clock (a backlog being read, or a source partition that has not announced progress).
 */
public final class InputTimeMetrics {
  /** Adjustments smaller than this are ordinary jitter between producers and not counted. */
  public static final long COUNTED_ADJUSTMENT_MS = 1_000;

  private final LongAdder future = new LongAdder();
  private final LongAdder past = new LongAdder();
  private final LongAdder heldSpans = new LongAdder();
  private final Map<String, Long> behindMs = new ConcurrentHashMap<>();

  InputTimeMetrics(MeterRegistry registry) {
    String adjusted = "input records whose timestamp was moved to keep decisions on time: "
        + "future = ahead of this instance's wall clock, past = behind the task's input clock";
    FunctionCounter.builder("tailstream.input.time.adjusted", future, LongAdder::doubleValue)
        .description(adjusted).tags(Tags.of("direction", "future")).register(registry);
    FunctionCounter.builder("tailstream.input.time.adjusted", past, LongAdder::doubleValue)
        .description(adjusted).tags(Tags.of("direction", "past")).register(registry);
    FunctionCounter.builder("tailstream.held.spans", heldSpans, LongAdder::doubleValue)
        .description("spans stamped after their trace was due, read before the decision: emitted "
            + "with the trace if kept, not used to decide it").register(registry);
    Gauge.builder("tailstream.input.clock.behind", behindMs, InputTimeMetrics::maxSeconds)
        .baseUnit("seconds")
        .description("how far the input clock of this instance's most behind task trails the wall clock")
        .register(registry);
  }

  /** A record stamped {@code byMs} ahead of the wall clock was taken at the wall clock. */
  public void adjustedFromFuture(long byMs) {
    if (byMs >= COUNTED_ADJUSTMENT_MS) {
      future.increment();
    }
  }

  /** A fragment stamped {@code byMs} before its task's input clock was placed at the clock. */
  public void adjustedFromPast(long byMs) {
    if (byMs >= COUNTED_ADJUSTMENT_MS) {
      past.increment();
    }
  }

  public void held(int spans) {
    heldSpans.add(spans);
  }

  /** Task {@code task}'s input clock trails the wall clock by {@code ms}; negative: not known. */
  public void clockBehind(String task, long ms) {
    behindMs.put(task, ms);
  }

  public void taskClosed(String task) {
    behindMs.remove(task);
  }

  public long adjustedFromFutureCount() {
    return future.sum();
  }

  public long adjustedFromPastCount() {
    return past.sum();
  }

  public long heldSpansCount() {
    return heldSpans.sum();
  }

  private static double maxSeconds(Map<String, Long> behind) {
    long max = 0;
    for (long ms : behind.values()) {
      max = Math.max(max, ms);
    }
    return max / 1000.0;
  }
}
