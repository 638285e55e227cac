package io.tailstream.buffer;

import java.util.Arrays;

/**
 * A growable array of longs kept in 64 KB pages. Large single arrays are "humongous" to G1: each
 * takes whole regions (an 8 MB array can hold 12 MB) and growing one copies it; pages are ordinary
 * objects and growing adds pages.
 */
final class LongPages {
  private static final int SHIFT = 13;
  private static final int PAGE = 1 << SHIFT; // 8192 longs
  private static final int MASK = PAGE - 1;

  private long[][] pages = new long[0][];

  LongPages(long capacity) {
    ensureCapacity(capacity);
  }

  long capacity() {
    return (long) pages.length << SHIFT;
  }

  void ensureCapacity(long capacity) {
    int needed = (int) ((capacity + MASK) >>> SHIFT);
    if (needed > pages.length) {
      int old = pages.length;
      pages = Arrays.copyOf(pages, Math.max(needed, old * 2));
      for (int p = old; p < pages.length; p++) {
        pages[p] = new long[PAGE];
      }
    }
  }

  long get(long i) {
    return pages[(int) (i >>> SHIFT)][(int) (i & MASK)];
  }

  void set(long i, long value) {
    pages[(int) (i >>> SHIFT)][(int) (i & MASK)] = value;
  }

  void or(long i, long bits) {
    pages[(int) (i >>> SHIFT)][(int) (i & MASK)] |= bits;
  }
}
