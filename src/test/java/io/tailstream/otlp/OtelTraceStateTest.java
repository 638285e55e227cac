package io.tailstream.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OtelTraceStateTest {
  @Test
  void entryFindsAListMemberByItsWholeKeyWithBlanksAroundMembers() {
    String ts = "ot=th:8;rv:01, acme=gold ,\tvendor=a=b,ac=x";
    assertThat(OtelTraceState.entry(ts, "acme")).isEqualTo("gold");
    assertThat(OtelTraceState.entry(ts, "vendor")).as("the first '=' splits").isEqualTo("a=b");
    assertThat(OtelTraceState.entry(ts, "ac")).as("a key is matched whole, not as a prefix").isEqualTo("x");
    assertThat(OtelTraceState.entry(ts, "ot")).isEqualTo("th:8;rv:01");
    assertThat(OtelTraceState.entry(ts, "a")).isNull();
    assertThat(OtelTraceState.entry("", "acme")).isNull();
    assertThat(OtelTraceState.entry("acme=", "acme")).isEmpty();
  }

  @Test
  void encodesThresholdsWithoutTrailingZeros() {
    assertThat(OtelTraceState.encodeThreshold(0)).isEqualTo("0");
    assertThat(OtelTraceState.encodeThreshold(1L << 55)).isEqualTo("8");
    assertThat(OtelTraceState.encodeThreshold(0xc0000000000000L)).isEqualTo("c");
    assertThat(OtelTraceState.encodeThreshold(0xfd70a3d70a3d71L)).isEqualTo("fd70a3d70a3d71");
  }

  @Test
  void readsThresholdAndRandomness() {
    assertThat(OtelTraceState.threshold("ot=th:c;rv:0123456789abcd,vendor=x"))
        .isEqualTo(0xc0000000000000L);
    assertThat(OtelTraceState.randomness("vendor=x,ot=th:c;rv:0123456789abcd"))
        .isEqualTo(0x0123456789abcdL);
    assertThat(OtelTraceState.randomness("ot=rv:123")).isEqualTo(OtelTraceState.ABSENT);
    assertThat(OtelTraceState.threshold("vendor=x")).isEqualTo(OtelTraceState.ABSENT);
    assertThat(OtelTraceState.threshold("")).isEqualTo(OtelTraceState.ABSENT);
    assertThat(OtelTraceState.threshold("ot=th:zz")).isEqualTo(OtelTraceState.ABSENT);
  }

  @Test
  void setsThresholdKeepingOtherEntriesAndMovesOtFirst() {
    assertThat(OtelTraceState.withThreshold("", 1L << 55)).isEqualTo("ot=th:8");
    assertThat(OtelTraceState.withThreshold("vendor=a,ot=rv:0123456789abcd;th:4", 1L << 55))
        .isEqualTo("ot=th:8;rv:0123456789abcd,vendor=a");
  }

  @Test
  void erasesThresholdKeepingOtherSubKeysAndEntries() {
    assertThat(OtelTraceState.withoutThreshold("vendor=a,ot=rv:0123456789abcd;th:4"))
        .isEqualTo("ot=rv:0123456789abcd,vendor=a");
    assertThat(OtelTraceState.withoutThreshold("ot=th:8;rv:0123456789abcd,vendor=a"))
        .isEqualTo("ot=rv:0123456789abcd,vendor=a");
  }

  @Test
  void anOtEntryLeftEmptyIsRemoved() {
    assertThat(OtelTraceState.withoutThreshold("vendor=a,ot=th:8,other=b")).isEqualTo("vendor=a,other=b");
    assertThat(OtelTraceState.withoutThreshold("ot=th:8")).isEmpty();
  }

  @Test
  void aTracestateWithoutThresholdIsUnchanged() {
    assertThat(OtelTraceState.withoutThreshold("")).isEmpty();
    assertThat(OtelTraceState.withoutThreshold("vendor=a,ot=rv:0123456789abcd"))
        .isEqualTo("vendor=a,ot=rv:0123456789abcd");
  }
}
