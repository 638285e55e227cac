package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  @Test
  void refillsAtTheRateUpToOneSecondOfBurst() {
    TokenBucket b = new TokenBucket(10);
    int granted = 0;
    for (int i = 0; i < 20; i++) {
      granted += b.tryAcquire(1, 0) ? 1 : 0;
    }
    assertThat(granted).isEqualTo(10);
    assertThat(b.tryAcquire(1, 50)).isFalse(); // half a token
    assertThat(b.tryAcquire(1, 100)).isTrue();
    // A long pause refills to capacity, not beyond.
    granted = 0;
    for (int i = 0; i < 20; i++) {
      granted += b.tryAcquire(1, 60_000) ? 1 : 0;
    }
    assertThat(granted).isEqualTo(10);
  }

  @Test
  void anOversizedRequestPassesOnlyWhenFull() {
    TokenBucket b = new TokenBucket(100);
    assertThat(b.tryAcquire(500, 0)).isTrue();
    assertThat(b.tryAcquire(1, 0)).isFalse();
    assertThat(b.tryAcquire(500, 4_000)).as("still in debt").isFalse();
    assertThat(b.tryAcquire(500, 6_000)).isTrue();
  }

  @Test
  void rejectsANonPositiveRate() {
    assertThatThrownBy(() -> new TokenBucket(0)).hasMessageContaining("above 0");
  }
}
