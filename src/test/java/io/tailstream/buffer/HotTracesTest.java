package io.tailstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.adapt.ByteBudget;
import io.tailstream.decide.TraceFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class HotTracesTest {
  private static final TraceSummary SUMMARY = TraceSummary.first(
      new TraceFacts(1, 10, 0, 1, false, false, Map.of(), Set.of(), -1, -1), 0);

  private static Bytes id(int n) {
    byte[] b = new byte[16];
    b[15] = (byte) n;
    return Bytes.wrap(b);
  }

  private static long charge(int... fragmentBytes) {
    long c = HotTraces.TRACE_OVERHEAD_BYTES;
    for (int b : fragmentBytes) {
      c += HotTraces.FRAGMENT_OVERHEAD_BYTES + b;
    }
    return c;
  }

  @Test
  void eachTraceIsChargedToTheSharedBudgetAndGivesItBackWhenRemoved() {
    ByteBudget budget = new ByteBudget(1 << 20);
    HotTraces one = new HotTraces(budget);
    HotTraces other = new HotTraces(budget); // another task of the same instance
    assertThat(one.tryHold(id(1), SUMMARY, new byte[100])).isTrue();
    assertThat(one.tryAdd(id(1), SUMMARY, new byte[50])).isTrue();
    assertThat(other.tryHold(id(2), SUMMARY, new byte[10])).isTrue();
    assertThat(budget.used()).isEqualTo(charge(100, 50) + charge(10));
    assertThat(one.fragments(id(1))).extracting(f -> f.length).containsExactly(100, 50);
    assertThat(one.remove(id(1)).fragments).hasSize(2);
    assertThat(budget.used()).isEqualTo(charge(10));
    assertThat(one.remove(id(1))).as("gone").isNull();
    assertThat(one.fragments(id(1))).isNull();
  }

  @Test
  void aFragmentThatDoesNotFitLeavesTheTraceAsItWasAndAnUnknownTraceTakesNothing() {
    ByteBudget budget = new ByteBudget(charge(100));
    HotTraces hot = new HotTraces(budget);
    assertThat(hot.tryHold(id(1), SUMMARY, new byte[100])).isTrue();
    TraceSummary later = SUMMARY.add(SUMMARY.facts(), 5);
    assertThat(hot.tryAdd(id(1), later, new byte[1])).isFalse();
    assertThat(hot.summary(id(1))).isSameAs(SUMMARY);
    assertThat(hot.fragments(id(1))).hasSize(1);
    assertThat(hot.tryAdd(id(2), SUMMARY, new byte[0])).as("not held here").isFalse();
    assertThat(hot.tryHold(id(3), SUMMARY, new byte[0])).as("no room").isFalse();
    assertThat(budget.used()).isEqualTo(charge(100));
  }

  @Test
  void drainHandsOutEveryTraceAndEmptiesTheBudget() {
    ByteBudget budget = new ByteBudget(1 << 20);
    HotTraces hot = new HotTraces(budget);
    hot.tryHold(id(1), SUMMARY, new byte[3]);
    hot.tryHold(id(2), SUMMARY, new byte[4]);
    List<Bytes> drained = new ArrayList<>();
    hot.drain((traceId, h) -> drained.add(traceId));
    assertThat(drained).containsExactlyInAnyOrder(id(1), id(2));
    assertThat(hot.size()).isZero();
    assertThat(budget.used()).isZero();
  }

  @Test
  void aBudgetOfNothingHoldsNothing() {
    assertThat(new HotTraces(new ByteBudget(0)).tryHold(id(1), SUMMARY, new byte[0])).isFalse();
  }
}
