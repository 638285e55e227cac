package io.tailstream.app;

import static io.tailstream.app.TaskProgress.NONE;
import static io.tailstream.buffer.InputLag.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaskProgressTest {
  @Test
  void queuedIsWhatWasPolledPastTheCommittedOffset() {
    assertThat(new TaskProgress(100, 899).queued()).isEqualTo(800);
    assertThat(new TaskProgress(100, 99).queued()).as("committed right after the last polled").isZero();
  }

  @Test
  void aCommitPastTrailingTransactionMarkersIsNotNegative() {
    // With an empty queue Streams commits the consumer's position, which may skip markers.
    assertThat(new TaskProgress(102, 99).queued()).isZero();
  }

  @Test
  void nothingPolledSinceAssignmentIsNothingQueued() {
    // An idle partition of a new task: no poll, and no commit either.
    assertThat(new TaskProgress(NONE, NONE).queued()).isZero();
    assertThat(new TaskProgress(40, NONE).queued()).isZero();
  }

  @Test
  void polledButNeverCommittedIsUnknown() {
    assertThat(new TaskProgress(NONE, 0).queued()).isEqualTo(UNKNOWN);
  }
}
