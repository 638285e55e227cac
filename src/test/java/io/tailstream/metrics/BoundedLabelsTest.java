package io.tailstream.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BoundedLabelsTest {
  @Test
  void theFirstValuesKeepTheirLabelAndLaterOnesAreOther() {
    BoundedLabels labels = new BoundedLabels(2);
    assertThat(labels.of("a")).isEqualTo("a");
    assertThat(labels.of("b")).isEqualTo("b");
    assertThat(labels.of("c")).isEqualTo("other");
    assertThat(labels.of("a")).isEqualTo("a");
    assertThat(labels.admitted("c")).isFalse();
    assertThat(labels.size()).isEqualTo(2);
  }

  @Test
  void longValuesAreCutSoThatALabelStaysSmall() {
    BoundedLabels labels = new BoundedLabels(5);
    String label = labels.of("m".repeat(10_000));
    assertThat(label).hasSize(BoundedLabels.MAX_CHARS).endsWith("\u2026");
  }

  @Test
  void aCapBelowOneIsRefused() {
    assertThatThrownBy(() -> new BoundedLabels(0)).hasMessageContaining("0");
  }
}
