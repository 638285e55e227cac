package io.tailstream.adapt;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.stream.Collectors;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heap in use right after the most recent garbage collection, as a share of the maximum
 * heap: what live data (and garbage no collection has reached yet) occupies, without the young
 * garbage the next collection frees anyway.
 *
 * <p>Why not the heap in use now: {@code totalMemory() - freeMemory()} climbs with every
 * allocation until G1 collects its young regions, so read between collections it reported bursts
 * of garbage as heap pressure and turned stress relief on, bypassing the rules, for nothing. Why
 * not {@code MemoryPoolMXBean.getCollectionUsage()}: on JDK 17 G1 updates the old generation's
 * figure only after a mixed or full collection, so it stays at 0 while young collections promote
 * live data into it (measured: 160 MB live, old gen collection usage 0). The notification that
 * ends each collection, young ones included, carries every pool's usage at that moment; the sum
 * over the heap pools is kept here. A pool a collection does not report keeps its last figure.
 * Until the first collection the figure is 0: nothing is known to be live, and the heap cannot
 * fill up without a collection.
 */
public final class HeapAfterGc implements DoubleSupplier {
  private static final Logger log = LoggerFactory.getLogger(HeapAfterGc.class);

  private final long maxBytes;
  private final Set<String> heapPools;
  private final Map<String, Long> usedByPool = new HashMap<>();
  private volatile double ratio;
  private volatile long collections;

  /** {@code heapPools}: the names of the heap's memory pools, as collections report them. */
  HeapAfterGc(long maxBytes, Set<String> heapPools) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maximum heap must be positive, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.heapPools = Set.copyOf(heapPools);
  }

  /** This JVM's figure, kept by a listener on every garbage collector (registered once). */
  public static HeapAfterGc jvm() {
    return Jvm.INSTANCE;
  }

  /** Heap in use after the last collection / maximum heap; 0 before the first collection. */
  @Override
  public double getAsDouble() {
    return ratio;
  }

  /** A collection ended; {@code usageAfterGc} holds the pools it reports, heap or not. */
  synchronized void collected(Map<String, MemoryUsage> usageAfterGc) {
    long used = 0;
    for (String pool : heapPools) {
      MemoryUsage usage = usageAfterGc.get(pool);
      if (usage != null) {
        usedByPool.put(pool, usage.getUsed());
      }
      used += usedByPool.getOrDefault(pool, 0L);
    }
    ratio = (double) used / maxBytes;
    collections++;
  }

  /** Collections seen so far. */
  long collections() {
    return collections;
  }

  @Override
  public String toString() {
    return String.format("heap after GC %.0f%% of %d MiB", ratio * 100, maxBytes >> 20);
  }

  private static final class Jvm {
    static final HeapAfterGc INSTANCE = listen();

    private static HeapAfterGc listen() {
      Set<String> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toSet());
      // Long.MAX_VALUE when the heap has no limit: the ratio stays near 0, as it should.
      HeapAfterGc heap = new HeapAfterGc(Runtime.getRuntime().maxMemory(), pools);
      int listening = 0;
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener((n, handback) -> onNotification(heap, n), null, null);
          listening++;
        }
      }
      if (listening == 0) {
        log.warn("this JVM's collectors send no notifications: stress.heap-high-watermark is not watched");
      }
      return heap;
    }

    private static void onNotification(HeapAfterGc heap, Notification n) {
      if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
        return;
      }
      try {
        heap.collected(GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData())
            .getGcInfo().getMemoryUsageAfterGc());
      } catch (RuntimeException e) {
        log.warn("unreadable garbage collection notification {}: {}", n.getType(), e.toString());
      }
    }
  }
}
