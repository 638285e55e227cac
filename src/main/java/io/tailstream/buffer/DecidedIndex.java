package io.tailstream.buffer;

import java.util.ArrayDeque;
import java.util.Iterator;
import org.apache.kafka.common.utils.Bytes;

/**
 * Which trace ids were decided within the late-span TTL, and whether they were kept, in memory:
 * the first fragment of a new trace (most fragments) needs no store look-up at all, a late span
 * of a dropped trace (most decisions) is dropped from memory, and only a late span of a kept
 * trace reads the {@code decisions} store (for the rule and threshold it is emitted with).
 *
 * <p>Ids are kept as full 64-bit fingerprints over all 16 bytes ({@link TraceIdHash}), with the
 * kept flag beside them rather than in one of their bits. A new trace is mistaken for a decided
 * one, and all its spans are dropped, only if its fingerprint equals one of the n held: odds
 * n / 2^64 per new trace. The index holds the decisions of up to 1.1 × the TTL (a slice goes
 * whole), so at 5,000 traces/s and the default 10-minute {@code late-span-ttl} n ≈ 3.3 million:
 * odds 1.8e-13 per new trace, one mistaken trace in about 35 years of 430 million new traces a
 * day. Ids that share their first 8 bytes with a decided id are never mistaken for it (the
 * fingerprint is a bijection of the low half), which covers zero-padded 64-bit ids and ids that
 * count up. (The earlier {@code h * 31 + byte} fingerprint took about 2^43 values and, for
 * zero-padded ids, depended on the low half only: {@code …0128} and {@code …0209} collided.)
 *
 * <p>Layout: one open-addressing {@code long} set per time slice of a tenth of the TTL, with one
 * kept bit per slot; a slice is dropped whole once its newest entry is older than the TTL. The
 * load factor stays between a quarter and a half: 16 to 32 bytes per decided trace within the
 * TTL; the number of traces in flight does not matter. Rebuilt from the {@code decisions} and
 * {@code dropped-traces} stores when a task starts, like {@link DueIndex}: those hold the ids
 * themselves, so no stored byte depends on the fingerprint.
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
    target.add(TraceIdHash.fingerprint(traceId.get()), kept);
  }

  /** Whether the trace was decided within the TTL before {@code nowMs}, and how. */
  public State state(Bytes traceId, long nowMs) {
    expire(nowMs);
    long fp = TraceIdHash.fingerprint(traceId.get());
    for (Slice s : slices) {
      State state = s.state(fp);
      if (state != State.UNKNOWN) {
        return state;
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

  /** Distinct trace ids held. */
  public long size() {
    long n = 0;
    for (Slice s : slices) {
      n += s.size();
    }
    return n;
  }

  public void clear() {
    slices.clear();
  }

  /**
   * An open-addressing set of fingerprints with a kept bit per slot, load factor at most one
   * half. 0 marks an empty slot, so the fingerprint 0 (the all-zero id's) is held aside.
   */
  private static final class Slice {
    final long number;
    private long[] table = new long[256];
    private long[] keptBits = new long[256 / 64];
    private int used;
    private State zero = State.UNKNOWN;

    Slice(long number) {
      this.number = number;
    }

    int size() {
      return used + (zero == State.UNKNOWN ? 0 : 1);
    }

    /** A kept decision wins over a drop of the same trace: it can only have been taken later. */
    void add(long fp, boolean kept) {
      if (fp == 0) {
        zero = kept || zero == State.KEPT ? State.KEPT : State.DROPPED;
        return;
      }
      if (used * 2 >= table.length) {
        grow();
      }
      insert(fp, kept);
    }

    State state(long fp) {
      if (fp == 0) {
        return zero;
      }
      int mask = table.length - 1;
      for (int i = slot(fp, mask); table[i] != 0; i = (i + 1) & mask) {
        if (table[i] == fp) {
          return kept(i) ? State.KEPT : State.DROPPED;
        }
      }
      return State.UNKNOWN;
    }

    private void grow() {
      long[] oldTable = table;
      long[] oldKept = keptBits;
      table = new long[oldTable.length * 2];
      keptBits = new long[table.length / 64];
      used = 0;
      for (int i = 0; i < oldTable.length; i++) {
        if (oldTable[i] != 0) {
          insert(oldTable[i], (oldKept[i >>> 6] & (1L << i)) != 0);
        }
      }
    }

    private void insert(long fp, boolean kept) {
      int mask = table.length - 1;
      int i = slot(fp, mask);
      while (table[i] != 0 && table[i] != fp) {
        i = (i + 1) & mask;
      }
      if (table[i] == 0) {
        table[i] = fp;
        used++;
      }
      if (kept) {
        keptBits[i >>> 6] |= 1L << i;
      }
    }

    private boolean kept(int i) {
      return (keptBits[i >>> 6] & (1L << i)) != 0;
    }

    /** The fingerprint is already mixed: its low bits are as good as any. */
    private static int slot(long fp, int mask) {
      return (int) fp & mask;
    }
  }
}
