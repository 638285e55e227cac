package io.tailstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.config.DecisionSettings;
import io.tailstream.decide.TraceFacts;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TraceSummaryTest {
  private static final DecisionSettings S = new DecisionSettings(Duration.ofSeconds(30),
      Duration.ofSeconds(5), Duration.ofSeconds(10), 100, 1000, Duration.ofMinutes(1),
      Duration.ofSeconds(1), Duration.ofSeconds(1), DecisionSettings.Stress.defaults());

  private static TraceFacts facts(int spans, long bytes, boolean root) {
    return new TraceFacts(spans, bytes, 0, 1, root, false, Map.of(), Set.of(), -1, -1);
  }

  @Test
  void dueAtIsTheEarliestOfWaitIdleAndAfterRoot() {
    TraceSummary s = TraceSummary.first(facts(1, 10, false), 1_000);
    assertThat(s.dueAtMs(S)).isEqualTo(11_000); // idle
    s = s.add(facts(1, 10, false), 9_000);
    assertThat(s.dueAtMs(S)).isEqualTo(19_000); // idle moved on
    s = s.add(facts(1, 10, true), 10_000);
    assertThat(s.rootMs()).isEqualTo(10_000);
    assertThat(s.dueAtMs(S)).isEqualTo(15_000); // root + after-root
    s = s.add(facts(1, 10, true), 12_000);
    assertThat(s.rootMs()).as("first root arrival counts").isEqualTo(10_000);
  }

  @Test
  void waitBoundsATraceThatNeverGoesIdle() {
    TraceSummary s = TraceSummary.first(facts(1, 10, false), 0);
    for (long t = 5_000; t <= 29_000; t += 5_000) {
      s = s.add(facts(1, 10, false), t);
    }
    assertThat(s.dueAtMs(S)).isEqualTo(30_000);
    assertThat(s.trigger(S, 30_000)).isEqualTo(TraceSummary.Trigger.WAIT);
  }

  @Test
  void capsAndTriggers() {
    TraceSummary s = TraceSummary.first(facts(99, 10, false), 0);
    assertThat(s.overCaps(S)).isFalse();
    assertThat(s.add(facts(1, 10, false), 1).overCaps(S)).isTrue();
    assertThat(s.add(facts(1, 10, false), 1).trigger(S, 1)).isEqualTo(TraceSummary.Trigger.SPAN_CAP);
    assertThat(TraceSummary.first(facts(1, 1000, false), 0).trigger(S, 0))
        .isEqualTo(TraceSummary.Trigger.BYTE_CAP);
    assertThat(TraceSummary.first(facts(1, 10, false), 0).trigger(S, 10_000))
        .isEqualTo(TraceSummary.Trigger.IDLE);
    assertThat(TraceSummary.first(facts(1, 10, true), 0).trigger(S, 5_000))
        .isEqualTo(TraceSummary.Trigger.AFTER_ROOT);
  }
}
