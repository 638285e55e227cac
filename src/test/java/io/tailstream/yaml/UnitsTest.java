package io.tailstream.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void durations() {
    assertThat(Units.duration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Units.duration("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Units.duration(" 5m ")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Units.duration("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Units.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Units.duration("0s")).isEqualTo(Duration.ZERO);
  }

  @Test
  void badDurationsSayWhatIsAllowed() {
    for (String bad : new String[] {"30", "30x", "s", "-1s", "", "1 d"}) {
      assertThatThrownBy(() -> Units.duration(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("250ms, 30s, 5m or 1h");
    }
  }

  @Test
  void sizes() {
    assertThat(Units.bytes("1048576")).isEqualTo(1_048_576);
    assertThat(Units.bytes("8MiB")).isEqualTo(8L << 20);
    assertThat(Units.bytes("512KiB")).isEqualTo(512L << 10);
    assertThat(Units.bytes("1GiB")).isEqualTo(1L << 30);
    assertThat(Units.bytes("2MB")).isEqualTo(2_000_000);
    assertThatThrownBy(() -> Units.bytes("8 parsecs")).hasMessageContaining("8MiB");
  }

  @Test
  void rates() {
    assertThat(Units.rate("1%")).isEqualTo(0.01);
    assertThat(Units.rate("0.5%")).isEqualTo(0.005);
    assertThat(Units.rate("100%")).isEqualTo(1.0);
    assertThat(Units.rate("0.25")).isEqualTo(0.25);
    assertThatThrownBy(() -> Units.rate("101%")).hasMessageContaining("between 0 and 100%");
    assertThatThrownBy(() -> Units.rate("2")).hasMessageContaining("between 0 and 100%");
    assertThatThrownBy(() -> Units.rate("lots")).hasMessageContaining("1%");
  }

  @Test
  void nothingIsRefusedLikeAWrongFormNotWithANullPointer() {
    assertThatThrownBy(() -> Units.rate(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected " + Units.RATE_FORMS + ", got nothing");
    assertThatThrownBy(() -> Units.duration(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Units.DURATION_FORMS);
    assertThatThrownBy(() -> Units.bytes(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Units.SIZE_FORMS);
  }

  @Test
  void formatsAsUsersWriteThem() {
    assertThat(Units.format(Duration.ofSeconds(30))).isEqualTo("30s");
    assertThat(Units.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Units.format(Duration.ofMinutes(10))).isEqualTo("10m");
  }
}
