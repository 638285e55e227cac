package io.tailstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class DueIndexTest {
  private static Bytes id(int n) {
    return Bytes.wrap(new byte[] {(byte) n});
  }

  @Test
  void handsOverOnlyWhatIsDueInDueOrder() {
    DueIndex index = new DueIndex();
    index.schedule(id(1), 300);
    index.schedule(id(2), 100);
    index.schedule(id(3), 200);
    List<Bytes> due = new ArrayList<>();
    index.pollDue(250, due::add);
    assertThat(due).containsExactly(id(2), id(3));
    assertThat(index.size()).isEqualTo(1);
    index.pollDue(250, due::add);
    assertThat(due).hasSize(2);
  }

  @Test
  void rescheduledEntriesComeBackLater() {
    DueIndex index = new DueIndex();
    index.schedule(id(1), 100);
    List<Bytes> due = new ArrayList<>();
    // The punctuator finds the trace not yet due (its idle deadline moved) and re-schedules it.
    index.pollDue(100, traceId -> index.schedule(traceId, 500));
    index.pollDue(499, due::add);
    assertThat(due).isEmpty();
    index.pollDue(500, due::add);
    assertThat(due).containsExactly(id(1));
  }
}
