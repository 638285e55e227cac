package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class OrderedDeliveryTest {
  private final Object lock = new Object();
  private final OrderedDelivery<Integer> delivery = new OrderedDelivery<>();

  @Test
  void eventsQueuedUnderALockAreDeliveredAfterItInTheirOrder() {
    List<Integer> seen = new ArrayList<>();
    List<Boolean> underLock = new ArrayList<>();
    delivery.listen(e -> {
      seen.add(e);
      underLock.add(Thread.holdsLock(lock));
    });
    synchronized (lock) {
      delivery.queue(1);
      delivery.queue(2);
    }
    delivery.deliver();
    assertThat(seen).containsExactly(1, 2);
    assertThat(underLock).containsOnly(false);
  }

  @Test
  void aFailingListenerIsSkippedAndTheOthersAreStillTold() {
    List<Integer> seen = new ArrayList<>();
    delivery.listen(e -> {
      throw new IllegalStateException("listener bug");
    });
    delivery.listen(seen::add);
    delivery.queue(7);
    delivery.deliver();
    assertThat(seen).containsExactly(7);
  }

  @Test
  void aListenerThatQueuesAgainIsToldAfterItReturnsNotInsideItself() {
    List<String> calls = new ArrayList<>();
    delivery.listen(e -> {
      calls.add("start " + e);
      if (e < 3) {
        delivery.queue(e + 1);
        delivery.deliver(); // re-entrant: returns at once, the outer loop delivers it
      }
      calls.add("end " + e);
    });
    delivery.queue(1);
    delivery.deliver();
    assertThat(calls).containsExactly("start 1", "end 1", "start 2", "end 2", "start 3", "end 3");
  }

  @Test
  void aThreadThatFindsAnotherDeliveringLeavesItsEventsToItAndNeverWaits() throws Exception {
    CountDownLatch inListener = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> seen = new ArrayList<>();
    delivery.listen(e -> {
      seen.add(e);
      if (e == 1) {
        inListener.countDown();
        try {
          release.await();
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    });
    Thread first = new Thread(() -> {
      delivery.queue(1);
      delivery.deliver();
    });
    first.start();
    inListener.await();
    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      delivery.queue(2);
      delivery.deliver(); // the first thread is delivering: returns without waiting for it
    });
    assertThat(seen).containsExactly(1);
    release.countDown();
    first.join();
    assertThat(seen).as("delivered by the first thread").containsExactly(1, 2);
  }
}
