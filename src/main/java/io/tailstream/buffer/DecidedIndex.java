package io.tailstream.buffer;

import java.util.ArrayDeque;
import java.util.Iterator;
import org.apache.kafka.common.utils.Bytes;

/**
 * Which trace ids were decided within the late-span TTL, and whether they were kept, in memory:
 * the first fragment of a new trace (most fragments) needs no store look-up at all, a late span
 * of a dropped trace (most decisions) is dropped from memory, and only a late span of a kept
 * trace reads the {@code decisions} store (for the rule and threshold it is emitted with).
 * Ids are kept as 64-bit fingerprints: a new trace is mistaken for a decided one only if its
 * fingerprint equals one of the n decided within the TTL, odds n / 2^64 (5e-14 at a million).
 *
 * <p>Layout: one open-addressing {@code long} set per time slice of a tenth of the TTL; a slice
 * is dropped whole once its newest entry is older than the TTL. About 16 bytes per decided trace
 * within the TTL; the number of traces in flight does not matter. Rebuilt from the store when a
 * task starts, like {@link DueIndex}.
 */
public final class DecidedIndex {
  private static final int SLICES = 10;

  private final long sliceMs;
  private final long ttlMs;
  private final ArrayDeque<Slice> slices = new ArrayDeque<>();

  public DecidedIndex(long ttlMs) {
    if (ttlMs < SLICES) {
      throw new IllegalArgumentException("ttl must be at least " + SLICES + " ms, got " + ttlMs);
    }
    this.ttlMs = ttlMs;
    this.sliceMs = ttlMs / SLICES;
  }

  /** What is known about a trace that is not buffered. */
  public enum State { UNKNOWN, DROPPED, KEPT }

  /** Records a decision taken at {@code decidedAtMs}. */
  public void add(Bytes traceId, boolean kept, long decidedAtMs) {
    long slice = decidedAtMs / sliceMs;
    Slice target = null;
    for (Slice s : slices) {
      if (s.number == slice) {
        target = s;
        break;
      }
    }
    if (target == null) {
      target = new Slice(slice);
      slices.addLast(target);
    }
    target.add(fingerprint(traceId.get()) | (kept ? 1 : 0));
  }

  /** Whether the trace was decided within the TTL before {@code nowMs}, and how. */
  public State state(Bytes traceId, long nowMs) {
    expire(nowMs);
    long fp = fingerprint(traceId.get());
    for (Slice s : slices) {
      if (s.contains(fp | 1)) {
        return State.KEPT; // a kept decision wins: it was taken later than any drop
      }
      if (s.contains(fp)) {
        return State.DROPPED;
      }
    }
    return State.UNKNOWN;
  }

  /** Drops slices whose every entry is older than the TTL. */
  public void expire(long nowMs) {
    Iterator<Slice> it = slices.iterator();
    while (it.hasNext()) {
      if ((it.next().number + 1) * sliceMs + ttlMs <= nowMs) {
        it.remove();
      }
    }
  }

  public long size() {
    long n = 0;
    for (Slice s : slices) {
      n += s.size;
    }
    return n;
  }

  public void clear() {
    slices.clear();
  }

  private static long fingerprint(byte[] id) {
    long h = 0;
    for (int i = 0; i < id.length; i++) {
      h = h * 31 + id[i];
      if ((i & 7) == 7) {
        h = Long.rotateLeft(h * 0x9E3779B97F4A7C15L, 29);
      }
    }
    return (h & ~1L) | 2; // the low bit carries "kept"; never 0, which marks an empty slot
  }

  /** An open-addressing set of non-zero longs, load factor at most one half. */
  private static final class Slice {
    final long number;
    long[] table = new long[256];
    int size;

    Slice(long number) {
      this.number = number;
    }

    void add(long fp) {
      if (size * 2 >= table.length) {
        long[] old = table;
        table = new long[old.length * 2];
        size = 0;
        for (long v : old) {
          if (v != 0) {
            insert(v);
          }
        }
      }
      insert(fp);
    }

    private void insert(long fp) {
      int mask = table.length - 1;
      int i = mix(fp) & mask;
      while (table[i] != 0) {
        if (table[i] == fp) {
          return;
        }
        i = (i + 1) & mask;
      }
      table[i] = fp;
      size++;
    }

    boolean contains(long fp) {
      int mask = table.length - 1;
      int i = mix(fp) & mask;
      while (table[i] != 0) {
        if (table[i] == fp) {
          return true;
        }
        i = (i + 1) & mask;
      }
      return false;
    }

    private static int mix(long fp) {
      long h = fp * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32));
    }
  }
}
