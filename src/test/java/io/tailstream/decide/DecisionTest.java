package io.tailstream.decide;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.otlp.OtelTraceState;
import org.junit.jupiter.api.Test;

class DecisionTest {
  private static final long HALF = 1L << 55;
  private static final long QUARTER = 0xc0000000000000L; // keeps 25%: higher than HALF

  @Test
  void aDeterministicKeepLeavesEachSpanAsItCame() {
    Decision d = Decision.keep("errors", "v");
    assertThat(d.changesTraceState()).isFalse();
    assertThat(d.spanThreshold(QUARTER)).isEqualTo(QUARTER);
    assertThat(d.spanThreshold(OtelTraceState.ABSENT)).isEqualTo(OtelTraceState.ABSENT);
  }

  @Test
  void aSampledKeepRaisesLowerThresholdsAndKeepsHigherOnes() {
    Decision d = Decision.keepSampled("baseline", HALF, "v");
    assertThat(d.rewritesThreshold()).isTrue();
    assertThat(d.spanThreshold(OtelTraceState.ABSENT)).isEqualTo(HALF);
    assertThat(d.spanThreshold(0)).isEqualTo(HALF);
    assertThat(d.spanThreshold(QUARTER)).isEqualTo(QUARTER);
    assertThat(Decision.keepSampled("all", 0, "v").spanThreshold(OtelTraceState.ABSENT)).isZero();
  }

  @Test
  void aKeepOfUnknownProbabilityErasesEverySpansThreshold() {
    Decision d = Decision.keepErasingThreshold("capped", "v");
    assertThat(d.erasesThreshold()).isTrue();
    assertThat(d.rewritesThreshold()).isFalse();
    assertThat(d.spanThreshold(QUARTER)).isEqualTo(OtelTraceState.ABSENT);
    assertThat(d).hasToString("keep by capped th erased (rules v)");
  }

  @Test
  void refusesThresholdsThatAreNoneOfTheCodesNorAThreshold() {
    assertThatThrownBy(() -> new Decision(true, "r", -3, "v"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -3 for rule r");
    assertThatThrownBy(() -> new Decision(true, "r", OtelTraceState.MAX_THRESHOLD, "v"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Decision.keepSampled("r", Decision.ERASE, "v"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sampled keep");
  }

  @Test
  void traceStateIsTheSameStringWhenNothingChangesAndRewrittenOtherwise() {
    String quarter = "ot=th:c;rv:abcdef01234567,vendor=x";
    assertThat(Decision.keep("errors", "v").traceState(quarter)).isSameAs(quarter);
    assertThat(Decision.keepSampled("vip", QUARTER, "v").traceState(quarter)).isSameAs(quarter);
    String raised = Decision.keepSampled("baseline", HALF, "v").traceState("vendor=x");
    assertThat(OtelTraceState.threshold(raised)).isEqualTo(HALF);
    assertThat(raised).contains("vendor=x");
    assertThat(OtelTraceState.threshold(Decision.keepSampled("baseline", HALF, "v").traceState(quarter)))
        .isEqualTo(QUARTER); // never lowered
    String erased = Decision.keepErasingThreshold("capped", "v").traceState(quarter);
    assertThat(OtelTraceState.threshold(erased)).isEqualTo(OtelTraceState.ABSENT);
    assertThat(erased).contains("rv:abcdef01234567", "vendor=x");
  }

  @Test
  void theStoredCodesAreFixed() {
    // Decisions in the decision memory hold these values: -1 predates ERASE.
    assertThat(Decision.KEEP_INCOMING).isEqualTo(-1);
    assertThat(Decision.ERASE).isEqualTo(-2);
  }

  @Test
  void theAdjustedCountIsThatOfTheThresholdEachSpanGoesOutWith() {
    assertThat(Decision.keep("errors", "v").adjustedCount(OtelTraceState.ABSENT)).hasValue(1);
    assertThat(Decision.keep("errors", "v").adjustedCount(HALF)).hasValue(2); // head-sampled at 50%
    Decision sampled = Decision.keepSampled("baseline", HALF, "v");
    assertThat(sampled.adjustedCount(OtelTraceState.ABSENT)).hasValue(2);
    assertThat(sampled.adjustedCount(QUARTER)).as("a higher incoming th wins").hasValue(4);
    assertThat(Decision.keepSampled("all", 0, "v").adjustedCount(OtelTraceState.ABSENT)).hasValue(1);
    assertThat(Decision.keepErasingThreshold("capped", "v").adjustedCount(HALF))
        .as("a limit's probability is unknown").isEmpty();
  }
}
