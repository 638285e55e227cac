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
 * at split time and handed out (and reset) once per interval.
 *
 * <p>Memory: at most 1,000 keys and {@link #DEFAULT_MAX_BYTES} for their 27 KB histograms and
 * their names (a name is as long as the input made it); spans of keys that do not fit are
 * counted ({@link #refused()}) and not reported. A key without traffic for
 * {@link #FORGET_AFTER_IDLE_INTERVALS} intervals is forgotten and frees its bytes.
 */
public final class StageStats {
  static final int MAX_KEYS = 1_000;
  /** 32 MiB: 1,000 keys with names of up to a few KB. */
  public static final long DEFAULT_MAX_BYTES = 32L << 20;
  static final int FORGET_AFTER_IDLE_INTERVALS = 30;
  static final long MAX_MICROS = 3_600_000_000L;
  static final long HISTOGRAM_BYTES = newHistogram().getEstimatedFootprintInBytes();
  /** The window's fields, its two strings' headers and its map entry; the names are added. */
  static final long KEY_OVERHEAD_BYTES = 512;

  /** One key's figures for an interval; durations in milliseconds. */
  public record Stat(String kind, String name, long count, double errorRate, double p50Ms,
      double p95Ms, double p99Ms) {}

  // One map per kind, keyed by the name as it came: a service name is the cached Resource's own
  // String, whose hash is computed once, where a "kind=name" key was a new String per span.
  private final Map<String, Window> stages = new ConcurrentHashMap<>();
  private final Map<String, Window> models = new ConcurrentHashMap<>();
  private final ByteBudget budget;

  public StageStats() {
    this(DEFAULT_MAX_BYTES);
  }

  /** {@code maxBytes}: what the keys' histograms and names may hold together. */
  public StageStats(long maxBytes) {
    this.budget = new ByteBudget(maxBytes);
  }

  public void observe(String service, String model, long durationNanos, boolean error) {
    if (service != null) {
      window(stages, "stage", service).add(durationNanos, error);
    }
    if (model != null) {
      window(models, "model", model).add(durationNanos, error);
    }
  }

  /**
   * The interval's figures of every key with traffic, and a fresh interval; keys idle for too
   * long are forgotten.
   */
  public List<Stat> drain() {
    List<Stat> out = new ArrayList<>();
    drain(stages, out);
    drain(models, out);
    return out;
  }

  /** Bytes the keys hold, as accounted against the budget. */
  public long accountedBytes() {
    return budget.used();
  }

  /** Spans of keys that did not fit (counted in {@code overflow} instead). */
  public long refused() {
    return budget.refused();
  }

  private void drain(Map<String, Window> windows, List<Stat> out) {
    windows.forEach((name, w) -> {
      Stat s = w.drain();
      if (s != null) {
        out.add(s);
      } else if (w.forgettable() && windows.remove(name, w)) {
        budget.release(w.bytes); // a span reaching it as it goes is lost: one span, once
      }
    });
  }

  private Window window(Map<String, Window> windows, String kind, String name) {
    Window w = windows.get(name);
    if (w == null) {
      // Accounted as when the key was "kind=name": the name twice and the kind once, in UTF-16.
      long bytes = HISTOGRAM_BYTES + KEY_OVERHEAD_BYTES + 2L * (kind.length() + 1 + 2L * name.length());
      if (stages.size() + models.size() >= MAX_KEYS || !budget.tryReserve(bytes)) {
        budget.refuse();
        return overflow;
      }
      Window created = new Window(kind, name, bytes);
      w = windows.putIfAbsent(name, created);
      if (w != null) {
        budget.release(bytes); // another thread added it meanwhile
      } else {
        w = created;
      }
    }
    return w;
  }

  private static Histogram newHistogram() {
    return new Histogram(1, MAX_MICROS, 2);
  }

  /** In neither map: never drained, forgotten or accounted (one fixed histogram). */
  private final Window overflow = new Window("overflow", "-", 0);

  private static final class Window {
    private final String kind;
    private final String name;
    private final Histogram micros = newHistogram();
    private long errors;
    final long bytes;
    private int idleIntervals;

    Window(String kind, String name, long bytes) {
      this.kind = kind;
      this.name = name;
      this.bytes = bytes;
    }

    synchronized void add(long nanos, boolean error) {
      micros.recordValue(Math.max(1, Math.min(MAX_MICROS, nanos / 1000)));
      if (error) {
        errors++;
      }
    }

    synchronized boolean forgettable() {
      return idleIntervals >= FORGET_AFTER_IDLE_INTERVALS;
    }

    synchronized Stat drain() {
      long n = micros.getTotalCount();
      idleIntervals = n == 0 ? idleIntervals + 1 : 0;
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
