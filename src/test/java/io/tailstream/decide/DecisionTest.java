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
  void theStoredCodesAreFixed() {
    // Decisions in the decision memory hold these values: -1 predates ERASE.
    assertThat(Decision.KEEP_INCOMING).isEqualTo(-1);
    assertThat(Decision.ERASE).isEqualTo(-2);
  }
}
