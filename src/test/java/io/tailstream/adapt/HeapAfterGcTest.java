package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeapAfterGcTest {
  private static final long MB = 1L << 20;
  private static final String EDEN = "G1 Eden Space";
  private static final String SURVIVOR = "G1 Survivor Space";
  private static final String OLD = "G1 Old Gen";

  private final HeapAfterGc heap = new HeapAfterGc(1000 * MB, Set.of(EDEN, SURVIVOR, OLD));
  /** Buffered bytes far below their watermark: only the heap can stress it. */
  private final StressGate gate = new StressGate(1_000, 0.9, 0.5, 0.85, heap);

  private static MemoryUsage used(long mb) {
    return new MemoryUsage(0, mb * MB, 1000 * MB, 1000 * MB);
  }

  @Test
  void aHeapFullOfGarbageThatTheCollectionFreedIsNoStress() {
    // Eden held 850 MB of garbage when this young collection began (95% of the heap in use:
    // the old pre-GC reading turned stress relief on); 100 MB is left after it.
    heap.collected(Map.of(EDEN, used(0), SURVIVOR, used(20), OLD, used(80), "Metaspace", used(500)));
    assertThat(heap.getAsDouble()).as("non-heap pools do not count").isCloseTo(0.10, within(1e-9));
    assertThat(gate.stressed(0)).isFalse();
  }

  @Test
  void liveDataAboveTheWatermarkAfterACollectionIsStressUntilACollectionFreesIt() {
    heap.collected(Map.of(EDEN, used(0), SURVIVOR, used(30), OLD, used(860)));
    assertThat(gate.stressed(0)).isTrue();
    heap.collected(Map.of(EDEN, used(0), SURVIVOR, used(10), OLD, used(770)));
    assertThat(gate.stressed(0)).as("78%: not yet 10 points below the watermark").isTrue();
    heap.collected(Map.of(EDEN, used(0), SURVIVOR, used(10), OLD, used(600)));
    assertThat(gate.stressed(0)).isFalse();
  }

  @Test
  void aPoolTheCollectionDoesNotReportKeepsItsLastFigure() {
    heap.collected(Map.of(EDEN, used(0), SURVIVOR, used(10), OLD, used(400)));
    heap.collected(Map.of(EDEN, used(0), SURVIVOR, used(20))); // a young-only report
    assertThat(heap.getAsDouble()).isCloseTo(0.42, within(1e-9));
  }

  @Test
  void nothingIsKnownBeforeTheFirstCollection() {
    assertThat(heap.getAsDouble()).isZero();
    assertThat(gate.stressed(0)).isFalse();
  }

  @Test
  void thisJvmsFigureFollowsTheLiveDataOfItsCollections() throws InterruptedException {
    HeapAfterGc jvm = HeapAfterGc.jvm();
    long max = Runtime.getRuntime().maxMemory();
    collect(jvm);
    double before = StressGate.jvmHeapRatio();
    List<byte[]> live = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      live.add(new byte[100_000]); // 200 MB in objects too small for G1's humongous regions
    }
    collect(jvm);
    double holding = StressGate.jvmHeapRatio();
    assertThat(holding - before).as("200 MB held of %d MB", max / MB)
        .isGreaterThan(150.0 * MB / max);
    assertThat(live).hasSize(2_000);
    live = null;
    collect(jvm);
    assertThat(holding - StressGate.jvmHeapRatio()).as("200 MB freed of %d MB", max / MB)
        .isGreaterThan(150.0 * MB / max);
  }

  private static volatile byte[] sink;

  @Test
  void garbageChurnDoesNotMoveThisJvmsReading() throws InterruptedException {
    HeapAfterGc jvm = HeapAfterGc.jvm();
    collect(jvm);
    double settled = StressGate.jvmHeapRatio();
    double peak = settled;
    long collectionsBefore = jvm.collections();
    long end = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < end || jvm.collections() < collectionsBefore + 3) {
      for (int i = 0; i < 100; i++) {
        sink = new byte[100_000]; // dies at once: young collections free all of it
      }
      peak = Math.max(peak, StressGate.jvmHeapRatio());
    }
    // The heap in use before each collection peaked ~20 points above the live data here (23-27%
    // of -Xmx2g against 5%); after each collection it stays where the live data is.
    assertThat(peak - settled).as("peak %.3f over settled %.3f", peak, settled).isLessThan(0.05);
  }

  /** A full collection, and its notification handled (it arrives on another thread). */
  private static void collect(HeapAfterGc jvm) throws InterruptedException {
    long seen = jvm.collections();
    System.gc();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (jvm.collections() == seen && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(jvm.collections()).as("a collection was reported").isGreaterThan(seen);
  }
}
