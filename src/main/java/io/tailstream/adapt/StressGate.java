package io.tailstream.adapt;

import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says when an instance is under stress: its buffered bytes above the high watermark of its
 * budget, or its heap after the last garbage collection above the heap watermark. It stays
 * stressed until both are back below the low watermark (hysteresis, so it does not flap). Under
 * stress new traces are decided at once instead of buffered; see docs/operations.md, "Stress
 * relief".
 */
public final class StressGate {
  private static final Logger log = LoggerFactory.getLogger(StressGate.class);

  private final long budgetBytes;
  private final double high;
  private final double low;
  /** Heap use must fall this far below its watermark before stress relief ends. */
  static final double HEAP_HYSTERESIS = 0.10;
  private final double heapHigh;
  private final DoubleSupplier heapUsedRatio;
  private volatile boolean stressed;

  public StressGate(long budgetBytes, double high, double low, double heapHigh, DoubleSupplier heapUsedRatio) {
    if (!(low < high)) {
      throw new IllegalArgumentException("low watermark " + low + " must be below high " + high);
    }
    this.budgetBytes = budgetBytes;
    this.high = high;
    this.low = low;
    this.heapHigh = heapHigh;
    this.heapUsedRatio = heapUsedRatio;
  }

  /**
   * This JVM's heap in use after its last garbage collection, as a share of its maximum: not the
   * heap in use now, which counts garbage not yet collected and turned stress relief on in bursts
   * (see {@link HeapAfterGc}).
   */
  public static double jvmHeapRatio() {
    return HeapAfterGc.jvm().getAsDouble();
  }

  /** Updates and returns the state for the instance's current buffered bytes. */
  public synchronized boolean stressed(long bufferedBytes) {
    double heap = heapUsedRatio.getAsDouble();
    double fill = (double) bufferedBytes / budgetBytes;
    if (!stressed && (fill >= high || heap >= heapHigh)) {
      stressed = true;
      log.warn("stress relief on: buffered {} of {} bytes ({}%), heap after GC {}%; new traces are decided at once",
          bufferedBytes, budgetBytes, Math.round(fill * 100), Math.round(heap * 100));
    } else if (stressed && fill < low && heap < heapHigh - HEAP_HYSTERESIS) {
      stressed = false;
      log.info("stress relief off: buffered {} of {} bytes, heap after GC {}%", bufferedBytes, budgetBytes,
          Math.round(heap * 100));
    }
    return stressed;
  }

  public boolean stressed() {
    return stressed;
  }
}
