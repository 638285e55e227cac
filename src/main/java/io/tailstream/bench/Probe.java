package io.tailstream.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;

/**
 * Wall time and CPU of one measured phase: the whole process (which, on the in-JVM broker,
 * includes the broker's work for this app) and the app's own stream threads.
 */
final class Probe {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  /** Figures since {@link #start}. */
  record Sample(double seconds, double processCpuSeconds, double streamThreadCpuSeconds) {}

  private final String appId;
  private final long startNanos;
  private final long startCpuNanos;
  private final long startThreadCpuNanos;

  private Probe(String appId) {
    this.appId = appId;
    this.startNanos = System.nanoTime();
    this.startCpuNanos = processCpuNanos();
    this.startThreadCpuNanos = streamThreadCpuNanos(appId);
  }

  static Probe start(String appId) {
    return new Probe(appId);
  }

  Sample sample() {
    return new Sample((System.nanoTime() - startNanos) / 1e9,
        (processCpuNanos() - startCpuNanos) / 1e9,
        (streamThreadCpuNanos(appId) - startThreadCpuNanos) / 1e9);
  }

  /** Heap in use after two full collections. */
  static long heapAfterGc() throws InterruptedException {
    System.gc();
    Thread.sleep(100);
    System.gc();
    Thread.sleep(100);
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return 0;
  }

  /**
   * Kafka Streams names its threads {@code <client-id>-StreamThread-N}, client id = app id + uuid;
   * the in-memory sampler's one thread is {@code <app id>-sampler}.
   */
  private static long streamThreadCpuNanos(String appId) {
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String name = t.getName();
      if (name.startsWith(appId + "-") && name.contains("StreamThread")
          || name.equals(appId + InMemorySampler.THREAD_SUFFIX)) {
        long cpu = THREADS.getThreadCpuTime(t.getId());
        total += Math.max(0, cpu);
      }
    }
    return total;
  }
}
