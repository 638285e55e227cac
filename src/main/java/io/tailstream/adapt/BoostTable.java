package io.tailstream.adapt;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The boosts known to one instance, fed by the control topic's global store and read by every
 * decision. Reads are lock-free snapshots: deciding a trace with no active boost costs one
 * volatile read and an empty-array check. Expired boosts stop applying by themselves.
 */
public final class BoostTable {
  /** A change of the table, for the rates publisher. */
  public record Change(Boost before, Boost after) {}

  private final Map<String, Boost> boosts = new ConcurrentHashMap<>();
  private final List<Consumer<Change>> listeners = new CopyOnWriteArrayList<>();
  private final int maxConcurrent;
  private volatile Boost[] snapshot = new Boost[0];

  public BoostTable(int maxConcurrent) {
    this.maxConcurrent = maxConcurrent;
  }

  public void onChange(Consumer<Change> listener) {
    listeners.add(listener);
  }

  /**
   * Adds or replaces a boost.
   *
   * @throws IllegalArgumentException when it would exceed the concurrent-boost limit
   */
  public synchronized void put(Boost boost, long nowMs) {
    Boost before = boosts.get(boost.id());
    if (before == null && active(nowMs).size() >= maxConcurrent) {
      throw new IllegalArgumentException("already " + maxConcurrent
          + " active boosts (boosts.max-concurrent); cancel one first");
    }
    boosts.put(boost.id(), boost);
    refresh(nowMs);
    fire(new Change(before, boost));
  }

  public synchronized void remove(String id, long nowMs) {
    Boost before = boosts.remove(id);
    refresh(nowMs);
    if (before != null) {
      fire(new Change(before, null));
    }
  }

  /** Active boosts (not expired), most recently expiring last. */
  public List<Boost> active(long nowMs) {
    List<Boost> out = new ArrayList<>();
    for (Boost b : snapshot) {
      if (!b.expired(nowMs)) {
        out.add(b);
      }
    }
    return out;
  }

  /** The current boosts for the hot path; callers skip expired ones and must not modify it. */
  public Boost[] snapshot() {
    return snapshot;
  }

  /** Drops expired boosts, telling listeners that they ended. */
  public synchronized void expire(long nowMs) {
    List<Boost> ended = boosts.values().stream().filter(b -> b.expired(nowMs)).toList();
    ended.forEach(b -> boosts.remove(b.id()));
    if (!ended.isEmpty()) {
      refresh(nowMs);
      ended.forEach(b -> fire(new Change(b, null)));
    }
  }

  private void refresh(long nowMs) {
    snapshot = boosts.values().stream()
        .sorted(Comparator.comparingLong(Boost::expiresAtMs))
        .toArray(Boost[]::new);
  }

  private void fire(Change change) {
    for (Consumer<Change> l : listeners) {
      l.accept(change);
    }
  }
}
