package io.tailstream.adapt;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells listeners of an owner's events in the order the events happened, without ever calling a
 * listener while the owner holds its lock.
 *
 * <p>Design: the owner {@link #queue}s an event while it still holds its lock, so the queue's
 * order is the order of its state changes, and calls {@link #deliver} once it has released the
 * lock. One thread at a time delivers, guarded by a compare-and-set flag rather than a lock: a
 * thread that finds another one delivering leaves its events to that one and returns at once, and
 * the deliverer looks at the queue again after dropping the flag, so no event is left behind. So a
 * listener may take its own locks, or call back into the owner, without a lock-order cycle (the
 * boost table and the rates publisher once deadlocked that way), and a listener that throws is
 * logged and skipped instead of failing the owner's caller (the global thread, a stream thread).
 * Listeners run on the thread of whichever caller delivers: they must not block.
 */
final class OrderedDelivery<T> {
  private static final Logger log = LoggerFactory.getLogger(OrderedDelivery.class);

  private final List<Consumer<T>> listeners = new CopyOnWriteArrayList<>();
  private final Queue<T> queued = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean delivering = new AtomicBoolean();

  void listen(Consumer<T> listener) {
    listeners.add(listener);
  }

  /** Call with the owner's lock held, in the order of its changes. */
  void queue(T event) {
    if (!listeners.isEmpty()) {
      queued.add(event);
    }
  }

  /** Call with no lock held; returns at once when another thread is delivering. */
  void deliver() {
    while (!queued.isEmpty() && delivering.compareAndSet(false, true)) {
      try {
        for (T event = queued.poll(); event != null; event = queued.poll()) {
          for (Consumer<T> listener : listeners) {
            try {
              listener.accept(event);
            } catch (RuntimeException e) {
              log.warn("a listener failed on {}; the others are still told", event, e);
            }
          }
        }
      } finally {
        delivering.set(false);
      }
    }
  }
}
