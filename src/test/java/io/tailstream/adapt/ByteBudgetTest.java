package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ByteBudgetTest {
  @Test
  void ownersOnTwoThreadsNeverTakeMoreThanTheBudgetTogether() throws Exception {
    ByteBudget budget = new ByteBudget(10_000);
    AtomicLong granted = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    Runnable owner = () -> {
      try {
        start.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      for (int i = 0; i < 100_000; i++) {
        if (budget.tryReserve(7)) {
          granted.addAndGet(7);
        }
      }
    };
    Thread a = new Thread(owner);
    Thread b = new Thread(owner);
    a.start();
    b.start();
    start.countDown();
    a.join();
    b.join();
    assertThat(granted.get()).isEqualTo(budget.used()).isLessThanOrEqualTo(10_000).isGreaterThan(10_000 - 7);
    budget.release(granted.get());
    assertThat(budget.used()).isZero();
  }

  @Test
  void aZeroBudgetAdmitsNothingAndANegativeOneIsRefused() {
    ByteBudget none = new ByteBudget(0);
    assertThat(none.tryReserve(1)).isFalse();
    assertThat(none.tryReserve(0)).isTrue();
    assertThatThrownBy(() -> new ByteBudget(-1)).hasMessageContaining("-1");
  }
}
