package io.tailstream.adapt;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The boosts known to one instance, fed by the control topic's global store and read by every
 * decision. Reads are lock-free snapshots: deciding a trace with no active boost costs one
 * volatile read and an empty-array check. Expired boosts stop applying by themselves.
 *
 * <p>Changes are made under the table's lock and told to listeners after it is released, in the
 * order they were made ({@link OrderedDelivery}): a listener may take its own locks (the rates
 * publisher did, and called {@link #expire} under its own: the two threads deadlocked).
 */
public final class BoostTable {
  /** A change of the table, for the rates publisher. */
  public record Change(Boost before, Boost after) {}

  private final Map<String, Boost> boosts = new ConcurrentHashMap<>();
  private final OrderedDelivery<Change> changes = new OrderedDelivery<>();
  private final int maxConcurrent;
  private volatile Boost[] snapshot = new Boost[0];

  public BoostTable(int maxConcurrent) {
    this.maxConcurrent = maxConcurrent;
  }

  /** {@code listener} is told of every later change, on the changing thread; it must not block. */
  public void onChange(Consumer<Change> listener) {
    changes.listen(listener);
  }

  /**
   * Adds or replaces a boost.
   *
   * @throws ControlRefusal when it would exceed the concurrent-boost limit
   */
  public void put(Boost boost, long nowMs) {
    synchronized (this) {
      Boost before = boosts.get(boost.id());
      if (before == null && active(nowMs).size() >= maxConcurrent) {
        throw new ControlRefusal(ControlRefusal.Reason.OUT_OF_BOUNDS, "already " + maxConcurrent
            + " active boosts (boosts.max-concurrent); cancel one first");
      }
      boosts.put(boost.id(), boost);
      refresh();
      changes.queue(new Change(before, boost));
    }
    changes.deliver();
  }

  public void remove(String id, long nowMs) {
    synchronized (this) {
      Boost before = boosts.remove(id);
      if (before != null) {
        refresh();
        changes.queue(new Change(before, null));
      }
    }
    changes.deliver();
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
  public void expire(long nowMs) {
    synchronized (this) {
      List<Boost> ended = boosts.values().stream().filter(b -> b.expired(nowMs)).toList();
      ended.forEach(b -> boosts.remove(b.id()));
      if (!ended.isEmpty()) {
        refresh();
        ended.forEach(b -> changes.queue(new Change(b, null)));
      }
    }
    changes.deliver();
  }

  private void refresh() {
    snapshot = boosts.values().stream()
        .sorted(Comparator.comparingLong(Boost::expiresAtMs))
        .toArray(Boost[]::new);
  }
}
