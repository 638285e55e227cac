package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.decide.Decision;
import org.junit.jupiter.api.Test;

/**
 * The decision memory keeps what a kept trace's late spans do to their threshold: the two codes
 * of {@link Decision} (-1 keep incoming, -2 erase) must survive the stored format like thresholds.
 * (Apart from {@code InternalSerdesTest}, whose golden bytes freeze the V1 layout, so that the
 * format's own tests can change without this one.)
 */
class InternalSerdesDecisionTest {
  private static Decision roundTrip(Decision d) {
    return InternalSerdes.DECISION.deserializer().deserialize("",
        InternalSerdes.DECISION.serializer().serialize("", d));
  }

  @Test
  void everyThresholdCodeOfADecisionRoundTrips() {
    for (Decision d : new Decision[] {Decision.keep("errors", "v1"),
        Decision.keepErasingThreshold("capped", "v1"), Decision.keepSampled("baseline", 0, "v1"),
        Decision.keepSampled("baseline", (1L << 56) - 1, "v1"), Decision.drop("no-rule-matched", "v1")}) {
      assertThat(roundTrip(d)).isEqualTo(d);
    }
    assertThat(roundTrip(Decision.keepErasingThreshold("capped", "v1")).erasesThreshold()).isTrue();
  }

  @Test
  void aStoredDecisionWithAnImpossibleThresholdIsACorruptRecordNotARawException() {
    byte[] bytes = InternalSerdes.DECISION.serializer().serialize("", Decision.keep("errors", "v1"));
    bytes[2] = (byte) 0x80; // the threshold's top byte: a large negative number, no code
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> InternalSerdes.DECISION.deserializer().deserialize("", bytes))
        .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class)
        .hasMessageContaining("corrupt internal record");
  }
}
