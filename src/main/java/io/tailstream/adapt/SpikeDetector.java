package io.tailstream.adapt;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * Watches error rate and p99 latency per service and per model, and says when one jumps above
 * its baseline: the short window is one evaluation interval, the baseline an exponential moving
 * average of past intervals (updated only while the scope is calm, so an incident is not learned
 * as normal). A spike needs the relative jump ({@code factor} × baseline), an absolute floor, at
 * least {@code minTraces} traces in the interval and, for error rates, a jump that binomial noise
 * would hardly produce (z-score of 3 or more), so quiet or noisy scopes do not flap; a spike ends
 * only after {@code cooldown} without one.
 *
 * <p>Memory: each scope holds an HdrHistogram of 27 KB (1 µs to 1 h, 2 digits), so scopes are
 * bounded by bytes, not by count: 10,000 scopes would have pinned 270 MB of a 512 MiB heap when
 * {@code service.name} has high cardinality. A new scope is watched only if its histogram and its
 * keys fit the budget ({@link #DEFAULT_MAX_BYTES}: some 600 scopes); spans of scopes that do not
 * fit are counted ({@link #refused()}) and otherwise ignored. A scope without traffic for
 * {@link #FORGET_AFTER_IDLE_INTERVALS} intervals, not spiking, is forgotten and frees its bytes,
 * so names that came in a burst do not hold the budget for good.
 */
public final class SpikeDetector {
  /** Tuning; see the auto-boost section of the config reference. */
  public record Settings(double errorFactor, double errorFloor, double latencyFactor,
      long latencyFloorNanos, int minTraces, long cooldownMs) {}

  /** What changed at an evaluation. */
  public sealed interface Action {
    Scope scope();
  }

  /** {@code kind} is "service" or "model". */
  public record Scope(String kind, String name) {
    public String key() {
      return kind + "=" + name;
    }
  }

  public record Started(Scope scope, String reason) implements Action {}

  public record Ended(Scope scope) implements Action {}

  static final int WARMUP_INTERVALS = 3;
  static final double ALPHA = 0.2;
  /** 16 MiB: about 3% of a 512 MiB heap. */
  public static final long DEFAULT_MAX_BYTES = 16L << 20;
  static final int FORGET_AFTER_IDLE_INTERVALS = 30;
  static final long MAX_MICROS = 3_600_000_000L;
  /** Measured once from a histogram like every scope's: they all have the same fixed size. */
  static final long HISTOGRAM_BYTES = newHistogram().getEstimatedFootprintInBytes();
  /** The window's fields, its Scope, and its entries in two maps; the name is added per scope. */
  static final long KEY_OVERHEAD_BYTES = 512;

  private final Settings settings;
  private final ByteBudget budget;
  private final Map<Scope, Window> windows = new ConcurrentHashMap<>();
  private final Map<String, Window> services = new ConcurrentHashMap<>();
  private final Map<String, Window> models = new ConcurrentHashMap<>();

  public SpikeDetector(Settings settings) {
    this(settings, DEFAULT_MAX_BYTES);
  }

  /** {@code maxBytes}: what the scopes' histograms and keys may hold together. */
  public SpikeDetector(Settings settings, long maxBytes) {
    this.settings = settings;
    this.budget = new ByteBudget(maxBytes);
  }

  /**
   * One span: its service's and (for inference spans) its model's latency and error, so that a
   * slow stage flags that stage, not every service of the traces it slows down.
   */
  public void observe(String service, String model, long durationNanos, boolean error) {
    if (service != null) {
      Window w = window(services, "service", service);
      if (w != null) {
        w.add(error, durationNanos);
      }
    }
    if (model != null) {
      Window w = window(models, "model", model);
      if (w != null) {
        w.add(error, durationNanos);
      }
    }
  }

  public boolean spiking(Scope scope) {
    Window w = windows.get(scope);
    return w != null && w.spiking;
  }

  /**
   * Closes the current interval of every scope and returns the spikes that started or ended;
   * forgets the scopes that stayed idle too long.
   */
  public List<Action> evaluate(long nowMs) {
    List<Action> actions = new ArrayList<>();
    Iterator<Map.Entry<Scope, Window>> it = windows.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Scope, Window> e = it.next();
      Window w = e.getValue();
      Action a = w.evaluate(e.getKey(), nowMs);
      if (a != null) {
        actions.add(a);
      }
      if (w.forgettable()) {
        // A span on another thread may still reach this window and be lost: one span, once.
        it.remove();
        (e.getKey().kind().equals("service") ? services : models).remove(e.getKey().name(), w);
        budget.release(w.bytes);
      }
    }
    return actions;
  }

  /** Bytes the watched scopes hold, as accounted against the budget. */
  public long accountedBytes() {
    return budget.used();
  }

  public long maxBytes() {
    return budget.maxBytes();
  }

  /** Spans whose scope was not watched because it did not fit the budget. */
  public long refused() {
    return budget.refused();
  }

  /** Scopes watched now. */
  public int scopes() {
    return windows.size();
  }

  /**
   * Looked up by name per kind, so the per-span path allocates no key; null when the scope is new
   * and does not fit the budget (counted). Nothing is allocated before its bytes are reserved.
   */
  private Window window(Map<String, Window> byName, String kind, String name) {
    Window w = byName.get(name);
    if (w == null) {
      w = byName.computeIfAbsent(name, n -> {
        long bytes = HISTOGRAM_BYTES + KEY_OVERHEAD_BYTES + 2L * n.length();
        if (!budget.tryReserve(bytes)) {
          return null;
        }
        Window created = new Window(bytes);
        windows.put(new Scope(kind, n), created);
        return created;
      });
      if (w == null) {
        budget.refuse();
      }
    }
    return w;
  }

  private static Histogram newHistogram() {
    return new Histogram(1, MAX_MICROS, 2);
  }

  private final class Window {
    private final Histogram latency = newHistogram();
    /** What this scope was accounted at, released when it is forgotten. */
    final long bytes;
    private int idleIntervals;
    private long traces;
    private long errors;
    private int calmIntervals;
    private double baselineErrorRate;
    private double baselineP99Micros;
    private boolean spiking;
    private long lastSpikeMs;

    Window(long bytes) {
      this.bytes = bytes;
    }

    synchronized void add(boolean error, long nanos) {
      traces++;
      if (error) {
        errors++;
      }
      latency.recordValue(Math.max(1, Math.min(MAX_MICROS, nanos / 1000)));
    }

    synchronized boolean forgettable() {
      return !spiking && idleIntervals >= FORGET_AFTER_IDLE_INTERVALS;
    }

    synchronized Action evaluate(Scope scope, long nowMs) {
      long n = traces;
      idleIntervals = n == 0 ? idleIntervals + 1 : 0;
      double errorRate = n == 0 ? 0 : (double) errors / n;
      double p99 = n == 0 ? 0 : latency.getValueAtPercentile(99);
      traces = 0;
      errors = 0;
      latency.reset();
      if (n < settings.minTraces()) {
        return maybeEnd(scope, nowMs);
      }
      if (calmIntervals < WARMUP_INTERVALS) {
        learn(errorRate, p99);
        return null;
      }
      // The jump must also be unlikely as binomial noise around the baseline (z >= 3).
      double expected = n * baselineErrorRate;
      double z = (n * errorRate - expected) / Math.sqrt(expected * (1 - baselineErrorRate) + 1);
      boolean errorSpike = errorRate > baselineErrorRate * settings.errorFactor()
          && errorRate >= settings.errorFloor() && z >= 3;
      boolean latencySpike = p99 > baselineP99Micros * settings.latencyFactor()
          && p99 * 1000 >= settings.latencyFloorNanos();
      if (errorSpike || latencySpike) {
        lastSpikeMs = nowMs;
        if (!spiking) {
          spiking = true;
          String reason = errorSpike
              ? String.format("error rate %.1f%% vs baseline %.1f%%", errorRate * 100, baselineErrorRate * 100)
              : String.format("p99 %.0fms vs baseline %.0fms", p99 / 1000, baselineP99Micros / 1000);
          return new Started(scope, reason);
        }
        return null;
      }
      if (!spiking) {
        learn(errorRate, p99);
        return null;
      }
      return maybeEnd(scope, nowMs);
    }

    private Action maybeEnd(Scope scope, long nowMs) {
      if (spiking && nowMs - lastSpikeMs >= settings.cooldownMs()) {
        spiking = false;
        return new Ended(scope);
      }
      return null;
    }

    private void learn(double errorRate, double p99) {
      if (calmIntervals == 0) {
        baselineErrorRate = errorRate;
        baselineP99Micros = p99;
      } else {
        baselineErrorRate += ALPHA * (errorRate - baselineErrorRate);
        baselineP99Micros += ALPHA * (p99 - baselineP99Micros);
      }
      calmIntervals++;
    }
  }
}
