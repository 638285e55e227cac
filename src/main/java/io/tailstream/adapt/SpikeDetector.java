package io.tailstream.adapt;

import java.util.ArrayList;
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

  private final Settings settings;
  private final Map<Scope, Window> windows = new ConcurrentHashMap<>();
  private final Map<String, Window> services = new ConcurrentHashMap<>();
  private final Map<String, Window> models = new ConcurrentHashMap<>();

  public SpikeDetector(Settings settings) {
    this.settings = settings;
  }

  /**
   * One span: its service's and (for inference spans) its model's latency and error, so that a
   * slow stage flags that stage, not every service of the traces it slows down.
   */
  public void observe(String service, String model, long durationNanos, boolean error) {
    if (service != null) {
      window(services, "service", service).add(error, durationNanos);
    }
    if (model != null) {
      window(models, "model", model).add(error, durationNanos);
    }
  }

  public boolean spiking(Scope scope) {
    Window w = windows.get(scope);
    return w != null && w.spiking;
  }

  /** Closes the current interval of every scope and returns the spikes that started or ended. */
  public List<Action> evaluate(long nowMs) {
    List<Action> actions = new ArrayList<>();
    windows.forEach((scope, w) -> {
      Action a = w.evaluate(scope, nowMs);
      if (a != null) {
        actions.add(a);
      }
    });
    return actions;
  }

  /**
   * Looked up by name per kind, so the per-span path allocates no key; bounded: beyond 10,000
   * scopes new ones are not watched.
   */
  private Window window(Map<String, Window> byName, String kind, String name) {
    Window w = byName.get(name);
    if (w == null && windows.size() < 10_000) {
      w = byName.computeIfAbsent(name, n -> windows.computeIfAbsent(new Scope(kind, n), s -> new Window()));
    }
    return w == null ? ignored : w;
  }

  private final Window ignored = new Window();

  private final class Window {
    private final Histogram latency = new Histogram(1, 3_600_000_000L, 2);
    private long traces;
    private long errors;
    private int calmIntervals;
    private double baselineErrorRate;
    private double baselineP99Micros;
    private boolean spiking;
    private long lastSpikeMs;

    synchronized void add(boolean error, long nanos) {
      traces++;
      if (error) {
        errors++;
      }
      latency.recordValue(Math.max(1, Math.min(3_600_000_000L, nanos / 1000)));
    }

    synchronized Action evaluate(Scope scope, long nowMs) {
      long n = traces;
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
