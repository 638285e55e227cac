package io.tailstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InputClockTest {
  @Test
  void unknownUntilEveryExpectedSourceAnnounced() {
    InputClock clock = new InputClock(3);
    assertThat(clock.advance(new Watermark(0, 100))).isFalse();
    assertThat(clock.advance(new Watermark(2, 300))).isFalse();
    assertThat(clock.known()).isFalse();
    assertThat(clock.nowMs()).isEqualTo(InputClock.UNKNOWN);
    assertThat(clock.advance(new Watermark(1, 200))).isTrue();
    assertThat(clock.nowMs()).isEqualTo(100);
  }

  @Test
  void theSlowestSourceSetsTheClock() {
    InputClock clock = new InputClock(2);
    clock.advance(new Watermark(0, 1_000));
    clock.advance(new Watermark(1, 50));
    assertThat(clock.nowMs()).isEqualTo(50);
    assertThat(clock.slowestSource()).isEqualTo(1);
    assertThat(clock.advance(new Watermark(0, 5_000))).as("the fast one moving changes nothing").isFalse();
    assertThat(clock.advance(new Watermark(1, 2_000))).isTrue();
    assertThat(clock.nowMs()).isEqualTo(2_000);
  }

  @Test
  void neverGoesBackEvenWhenASourceRepeatsAnOlderProgress() {
    InputClock clock = new InputClock(1);
    clock.advance(new Watermark(4, 1_000));
    assertThat(clock.advance(new Watermark(4, 500))).isFalse();
    assertThat(clock.nowMs()).isEqualTo(1_000);
  }

  @Test
  void aSourceBeyondTheExpectedOnesStillCounts() {
    InputClock clock = new InputClock(1);
    clock.advance(new Watermark(0, 1_000));
    clock.advance(new Watermark(1, 10)); // the input topic grew a partition
    assertThat(clock.advance(new Watermark(0, 2_000))).isFalse();
    assertThat(clock.nowMs()).isEqualTo(1_000);
  }

  @Test
  void fragmentsAreNeverPlacedBeforeTheClock() {
    InputClock clock = new InputClock(1);
    assertThat(clock.place(70)).as("no clock yet: the fragment's own time").isEqualTo(70);
    clock.advance(new Watermark(0, 100));
    assertThat(clock.place(70)).isEqualTo(100);
    assertThat(clock.place(170)).isEqualTo(170);
  }

  @Test
  void refusesNoSources() {
    assertThatThrownBy(() -> new InputClock(0)).hasMessageContaining("got 0");
  }
}
