package io.tailstream.adapt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * Latency and error statistics per model and per pipeline stage (the spans of one service), over
 * every span seen — not only kept traces — which is what the kept sample cannot tell: the
 * p50/p95/p99 of each stage and model, its error rate and request count. Collected per instance
 * at split time and handed out (and reset) once per interval. At most 1,000 keys.
 */
public final class StageStats {
  static final int MAX_KEYS = 1_000;

  /** One key's figures for an interval; durations in milliseconds. */
  public record Stat(String kind, String name, long count, double errorRate, double p50Ms,
      double p95Ms, double p99Ms) {}

  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  public void observe(String service, String model, long durationNanos, boolean error) {
    if (service != null) {
      window("stage", service).add(durationNanos, error);
    }
    if (model != null) {
      window("model", model).add(durationNanos, error);
    }
  }

  /** The interval's figures of every key with traffic, and a fresh interval. */
  public List<Stat> drain() {
    List<Stat> out = new ArrayList<>();
    windows.forEach((key, w) -> {
      Stat s = w.drain();
      if (s != null) {
        out.add(s);
      }
    });
    return out;
  }

  private Window window(String kind, String name) {
    String key = kind + "=" + name;
    Window w = windows.get(key);
    if (w == null && windows.size() < MAX_KEYS) {
      w = windows.computeIfAbsent(key, k -> new Window(kind, name));
    }
    return w == null ? overflow : w;
  }

  private final Window overflow = new Window("overflow", "-");

  private static final class Window {
    private final String kind;
    private final String name;
    private final Histogram micros = new Histogram(1, 3_600_000_000L, 2);
    private long errors;

    Window(String kind, String name) {
      this.kind = kind;
      this.name = name;
    }

    synchronized void add(long nanos, boolean error) {
      micros.recordValue(Math.max(1, Math.min(3_600_000_000L, nanos / 1000)));
      if (error) {
        errors++;
      }
    }

    synchronized Stat drain() {
      long n = micros.getTotalCount();
      if (n == 0) {
        return null;
      }
      Stat s = new Stat(kind, name, n, (double) errors / n, micros.getValueAtPercentile(50) / 1000d,
          micros.getValueAtPercentile(95) / 1000d, micros.getValueAtPercentile(99) / 1000d);
      micros.reset();
      errors = 0;
      return s;
    }
  }
}
