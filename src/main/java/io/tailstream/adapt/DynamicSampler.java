package io.tailstream.adapt;

import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Per-key sample rates that keep rare keys more and frequent keys less, in the spirit of
 * Refinery's EMA dynamic sampler: trace counts per key are smoothed with an exponential moving
 * average over adjustment intervals, and each interval the kept budget is shared among keys in
 * proportion to log10(count + 1) — so a key ten times as frequent gets only a little more of the
 * budget, not ten times more — with any share above a key's own count handed on to the others.
 *
 * <p>Two goals: {@link Goal#AVERAGE} holds the kept fraction of all traces at the goal rate;
 * {@link Goal#THROUGHPUT} holds kept traces per second at the goal, divided among the live
 * instances of the application. Keys not seen in the last intervals get the overall rate.
 * Thread-safe; time is passed in. The listener is told of an adjustment's changes on the stream
 * thread that adjusted, after the sampler's lock is released and in the order of the adjustments
 * ({@link OrderedDelivery}): called under the lock, a listener that waited (the rates publisher
 * once did, on a deadlocked lock) stopped every stream thread that reached {@link #rate}.
 */
public final class DynamicSampler {
  public enum Goal { AVERAGE, THROUGHPUT }

  /** Told of rate changes after each adjustment: key, old rate, new rate. Must not block. */
  public interface Listener {
    void rateChanged(String key, double oldRate, double newRate);
  }

  private record Change(String key, double oldRate, double newRate) {}

  static final double ALPHA = 0.5;
  static final int MAX_KEYS = 10_000;

  private final Goal goal;
  private final double target;
  private final long intervalMs;
  private final IntSupplier instances;
  private final OrderedDelivery<Change> changes = new OrderedDelivery<>();
  private final Map<String, Long> counts = new HashMap<>();
  private final Map<String, Double> ema = new HashMap<>();
  private Map<String, Double> rates = Map.of();
  private double defaultRate;
  private long intervalStartMs = Long.MIN_VALUE;

  /**
   * @param target the goal: a rate in (0, 1] for AVERAGE, traces per second for THROUGHPUT
   */
  public DynamicSampler(Goal goal, double target, long intervalMs, IntSupplier instances,
      Listener listener) {
    this.goal = goal;
    this.target = target;
    this.intervalMs = intervalMs;
    this.instances = instances;
    if (listener != null) {
      changes.listen(c -> listener.rateChanged(c.key(), c.oldRate(), c.newRate()));
    }
    this.defaultRate = goal == Goal.AVERAGE ? target : 1;
  }

  /** Counts one trace of {@code key} and returns the rate to sample it at. */
  public double rate(String key, long nowMs) {
    double rate;
    synchronized (this) {
      if (intervalStartMs == Long.MIN_VALUE) {
        intervalStartMs = nowMs;
      } else if (nowMs - intervalStartMs >= intervalMs) {
        adjust();
        intervalStartMs = nowMs;
      }
      if (counts.size() < MAX_KEYS || counts.containsKey(key)) {
        counts.merge(key, 1L, Long::sum);
      }
      rate = rates.getOrDefault(key, defaultRate);
    }
    changes.deliver(); // an empty-queue check unless this call adjusted
    return rate;
  }

  /**
   * The rate {@link #rate} would give {@code key} now, without counting a trace: for a rule a
   * trace reaches only in the search for its effective threshold, after an earlier rule kept it.
   */
  public synchronized double currentRate(String key) {
    return rates.getOrDefault(key, defaultRate);
  }

  public synchronized Map<String, Double> rates() {
    return Map.copyOf(rates);
  }

  private void adjust() {
    for (String k : counts.keySet()) {
      ema.putIfAbsent(k, 0d);
    }
    ema.replaceAll((k, v) -> ALPHA * counts.getOrDefault(k, 0L) + (1 - ALPHA) * v);
    ema.values().removeIf(v -> v < 0.01);
    counts.clear();
    double total = ema.values().stream().mapToDouble(Double::doubleValue).sum();
    if (total <= 0) {
      return;
    }
    double budget = goal == Goal.AVERAGE
        ? target * total
        : target * intervalMs / 1000d / Math.max(1, instances.getAsInt());
    Map<String, Double> next = allocate(budget);
    defaultRate = Math.min(1, budget / total);
    Map<String, Double> previous = rates;
    rates = next;
    next.forEach((k, r) -> {
      double old = previous.getOrDefault(k, Double.NaN);
      if (Double.isNaN(old) || Math.abs(old - r) > 1e-9) {
        changes.queue(new Change(k, old, r));
      }
    });
  }

  /** Shares {@code budget} kept traces among keys by log weight, capping each at its count. */
  private Map<String, Double> allocate(double budget) {
    Map<String, Double> rate = new HashMap<>();
    Map<String, Double> open = new HashMap<>(ema);
    double left = budget;
    for (int round = 0; round < 10 && !open.isEmpty() && left > 1e-9; round++) {
      double weights = 0;
      for (double c : open.values()) {
        weights += Math.log10(c + 1);
      }
      double spent = 0;
      Map<String, Double> stillOpen = new HashMap<>();
      for (Map.Entry<String, Double> e : open.entrySet()) {
        double share = left * Math.log10(e.getValue() + 1) / weights;
        double already = rate.getOrDefault(e.getKey(), 0d) * e.getValue();
        double keep = Math.min(e.getValue(), already + share);
        spent += keep - already;
        rate.put(e.getKey(), keep / e.getValue());
        if (keep < e.getValue()) {
          stillOpen.put(e.getKey(), e.getValue());
        }
      }
      left -= spent;
      open = stillOpen;
    }
    return rate;
  }
}
