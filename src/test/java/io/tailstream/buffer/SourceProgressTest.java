package io.tailstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SourceProgressTest {
  private static final long WALL = 1_790_000_000_000L;

  @Test
  void nothingIsAnnouncedBeforeARecordIsReadOrThePartitionIsKnownCaughtUp() {
    SourceProgress p = new SourceProgress(true);
    assertThat(p.announce(WALL, false)).isEqualTo(SourceProgress.NONE);
  }

  @Test
  void aBacklogProgressesAtTheRecordsOwnPaceWhateverTheWallClock() {
    SourceProgress p = new SourceProgress(true);
    p.observe(WALL - 3_600_000, WALL);
    p.observe(WALL - 3_599_000, WALL);
    assertThat(p.announce(WALL, false)).isEqualTo(WALL - 3_599_000);
    assertThat(p.announce(WALL + 60_000, false)).as("no record read: no progress").isEqualTo(WALL - 3_599_000);
  }

  @Test
  void aCaughtUpQuietPartitionFollowsTheWallClockLessTheDeliverySlack() {
    SourceProgress p = new SourceProgress(true);
    p.observe(WALL - 10_000, WALL);
    assertThat(p.announce(WALL, true)).as("records were read in this interval: they may be the "
        + "tail of a backlog, with more fetched and not processed").isEqualTo(WALL - 10_000);
    assertThat(p.announce(WALL + 1_000, true)).isEqualTo(WALL + 1_000 - SourceProgress.DELIVERY_SLACK_MS);
  }

  @Test
  void theDeliverySlackIsConfigurableAndNeverNegative() {
    SourceProgress p = new SourceProgress(true, 5_000);
    assertThat(p.announce(WALL, true)).as("collectors that queue and retry: trail the wall clock by 5 s")
        .isEqualTo(WALL - 5_000);
    SourceProgress none = new SourceProgress(true, 0);
    assertThat(none.announce(WALL, true)).isEqualTo(WALL);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SourceProgress(true, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be negative");
  }

  @Test
  void aRestartedPartitionWithUnknownLagWaitsForItsRecords() {
    SourceProgress p = new SourceProgress(true);
    assertThat(p.announce(WALL, false)).isEqualTo(SourceProgress.NONE);
    assertThat(p.announce(WALL + 5_000, false)).isEqualTo(SourceProgress.NONE);
  }

  @Test
  void recordsFromTheFutureCountAtTheWallClock() {
    SourceProgress p = new SourceProgress(true);
    assertThat(p.observe(WALL + 3_600_000, WALL)).isEqualTo(WALL);
    assertThat(p.announce(WALL, false)).isEqualTo(WALL);
  }

  @Test
  void progressNeverGoesBack() {
    SourceProgress p = new SourceProgress(true);
    p.observe(WALL, WALL);
    p.announce(WALL, false);
    p.observe(WALL - 60_000, WALL + 1);
    assertThat(p.announce(WALL + 1, false)).isEqualTo(WALL);
  }

  @Test
  void withNothingInFlightACaughtUpPartitionIsAtTheWallClock() {
    SourceProgress p = new SourceProgress(false);
    p.observe(WALL - 10_000, WALL);
    assertThat(p.announce(WALL, true)).isEqualTo(WALL);
  }
}
