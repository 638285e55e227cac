package io.tailstream.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rebuilds of buffers from their log: how many, how much was read again and how long it took,
 * and what retention had already deleted (each missing record may have held spans of a buffered
 * trace that now cannot come out whole).
 */
public final class BufferLogMetrics {
  private final LongAdder rebuilds = new LongAdder();
  private final LongAdder records = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final LongAdder millis = new LongAdder();
  private final LongAdder missing = new LongAdder();

  BufferLogMetrics(MeterRegistry registry) {
    counter(registry, "tailstream.rebuilds", "buffers rebuilt from their log when a task started", rebuilds);
    counter(registry, "tailstream.reread.records", "log records read again to rebuild buffers", records);
    counter(registry, "tailstream.reread.bytes", "bytes of log records read again to rebuild buffers", bytes);
    FunctionCounter.builder("tailstream.reread.seconds", millis, m -> m.sum() / 1000.0)
        .description("time spent reading logs again to rebuild buffers").register(registry);
    counter(registry, "tailstream.reread.records.missing", "log records a rebuild needed but retention "
        + "had already deleted", missing);
  }

  private static void counter(MeterRegistry registry, String name, String description, LongAdder adder) {
    FunctionCounter.builder(name, adder, LongAdder::doubleValue).description(description).register(registry);
  }

  public void rebuilt(long recordsRead, long bytesRead, long missingRecords, long tookMs) {
    rebuilds.increment();
    records.add(recordsRead);
    bytes.add(bytesRead);
    missing.add(missingRecords);
    millis.add(tookMs);
  }

  public long rebuilds() {
    return rebuilds.sum();
  }

  public long recordsReread() {
    return records.sum();
  }

  public long missingRecords() {
    return missing.sum();
  }

  /** Bytes of the records read again (keys and values as stored in the log). */
  public long bytesReread() {
    return bytes.sum();
  }

  /** Time spent reading again and rebuffering, summed over every rebuild. */
  public long rereadMillis() {
    return millis.sum();
  }
}
