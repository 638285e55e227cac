package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.FragmentBatch;
import io.tailstream.buffer.TraceSummary;
import io.tailstream.decide.Decision;
import io.tailstream.decide.TraceFacts;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

/**
 * The stored formats are frozen: changelogs written by one release are read by the next. The
 * golden bytes below were written by the V1 serdes as first released (DataOutputStream based).
 */
class InternalSerdesTest {
  private static final HexFormat HEX = HexFormat.of();

  /** Facts with one service, model and key: serialized in one order only. */
  static TraceFacts one(String service, String model) {
    return new TraceFacts(7, 1_234, 1_700_000_000_000_000_000L, 1_700_000_001_000_000_000L, true, false,
        Map.of(model, 812_000_000L), Set.of(service), 0x00ab_cdef_0123_4567L, 1L << 40, 3,
        new long[] {5, -1, 900}, Map.of("http.route", "/v1/predict"));
  }

  /** Facts with two services (a set without a fixed order: their bytes were written in one of two). */
  static TraceFacts facts(String service, String model) {
    Map<String, Long> models = new LinkedHashMap<>();
    models.put(model, 812_000_000L);
    Set<String> services = new LinkedHashSet<>(List.of("gateway", service));
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("http.route", "/v1/predict");
    return new TraceFacts(7, 1_234, 1_700_000_000_000_000_000L, 1_700_000_001_000_000_000L, true, false,
        models, services, 0x00ab_cdef_0123_4567L, 1L << 40, 3, new long[] {5, -1, 900}, keys);
  }

  private static final String SUMMARY_ASCII = "010000000700000000000004d217979cfe362a000017979cfe71c4ca000100abcdef012345670000"
        + "0100000000000001000972616e6b65722d763300000000306623000002000672616e6b6572000767"
        + "6174657761790000000300030000000000000005ffffffffffffffff00000000000003840001000a"
        + "687474702e726f757465000b2f76312f70726564696374000000000000000a000000000000001400"
        + "0000000000000f";
  private static final String SUMMARY_UNICODE = "010000000700000000000004d217979cfe362a000017979cfe71c4ca000100abcdef012345670000"
        + "0100000000000001000fe6a8a1e59e8b2d7633eda0bdedba8000000000306623000002000972c3a4"
        + "6e6b6572c0800007676174657761790000000300030000000000000005ffffffffffffffff000000"
        + "00000003840001000a687474702e726f757465000b2f76312f70726564696374000000000000000a"
        + "0000000000000014ffffffffffffffff";
  private static final String FRAGMENT = "010000000700000000000004d217979cfe362a000017979cfe71c4ca000100abcdef012345670000"
        + "0100000000000001000972616e6b65722d763300000000306623000002000672616e6b6572000767"
        + "6174657761790000000300030000000000000005ffffffffffffffff00000000000003840001000a"
        + "687474702e726f757465000b2f76312f7072656469637400000003010203";
  /** Written from single-element sets and maps: those have one iteration order. */
  private static final String ONE_ASCII = "010000000700000000000004d217979cfe362a000017979cfe71c4ca000100abcdef012345670000"
        + "0100000000000001000972616e6b65722d763300000000306623000001000672616e6b6572000000"
        + "0300030000000000000005ffffffffffffffff00000000000003840001000a687474702e726f7574"
        + "65000b2f76312f70726564696374000000000000000a0000000000000014000000000000000f";
  private static final String ONE_UNICODE = "010000000700000000000004d217979cfe362a000017979cfe71c4ca000100abcdef012345670000"
        + "0100000000000001000fe6a8a1e59e8b2d7633eda0bdedba8000000000306623000001000972c3a4"
        + "6e6b6572c0800000000300030000000000000005ffffffffffffffff00000000000003840001000a"
        + "687474702e726f757465000b2f76312f70726564696374000000000000000a0000000000000014ff"
        + "ffffffffffffff";
  private static final String ONE_FRAGMENT = "010000000700000000000004d217979cfe362a000017979cfe71c4ca000100abcdef012345670000"
        + "0100000000000001000972616e6b65722d763300000000306623000001000672616e6b6572000000"
        + "0300030000000000000005ffffffffffffffff00000000000003840001000a687474702e726f7574"
        + "65000b2f76312f7072656469637400000003010203";
  private static final String DECISION = "01010000010000000000000a736c6f772d6d6f64656c00083366396330613162";

  @Test
  void heldFragmentsAndTheFirstOffsetAreAnOptionalTrailerThatRoundTrips() {
    TraceSummary held = new TraceSummary(one("ranker", "ranker-v3"), 10, 20, 15, 3, 700, 4242);
    byte[] bytes = InternalSerdes.SUMMARY.serializer().serialize("", held);
    TraceSummary read = InternalSerdes.SUMMARY.deserializer().deserialize("", bytes);
    assertThat(read.heldSpans()).isEqualTo(3);
    assertThat(read.heldBytes()).isEqualTo(700);
    assertThat(read.spanCount()).isEqualTo(held.spanCount());
    assertThat(read.rootMs()).isEqualTo(15);
    assertThat(read.firstOffset()).isEqualTo(4242);
    assertThat(hex(bytes)).startsWith(ONE_ASCII).hasSize(ONE_ASCII.length() + 2 * 20);
  }

  @Test
  void watermarksAndFragmentsShareTheByTraceFormatAndFragmentsKeepTheirV1Bytes() {
    var serde = InternalSerdes.BY_TRACE;
    io.tailstream.buffer.Watermark mark = new io.tailstream.buffer.Watermark(7, 1_790_000_000_123L);
    assertThat(serde.deserializer().deserialize("", serde.serializer().serialize("", mark))).isEqualTo(mark);
    io.tailstream.buffer.Fragment fragment = new io.tailstream.buffer.Fragment(one("a", "b"), new byte[] {1, 2, 3});
    byte[] bytes = serde.serializer().serialize("", fragment);
    assertThat(bytes).isEqualTo(InternalSerdes.FRAGMENT.serializer().serialize("", fragment));
    assertThat(((io.tailstream.buffer.Fragment) serde.deserializer().deserialize("", bytes)).tracesData())
        .containsExactly(1, 2, 3);
    assertThatThrownBy(() -> serde.deserializer().deserialize("", new byte[] {'W', 0, 0}))
        .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class)
        .hasMessageContaining("corrupt by-trace record");
  }

  @Test
  void aBatchRoundTripsEveryFragmentWithItsTraceId() {
    var serde = InternalSerdes.BY_TRACE;
    FragmentBatch batch = new FragmentBatch(3, List.of(
        new FragmentBatch.Entry(Bytes.wrap(id(1)), new Fragment(one("a", "b"), new byte[] {1, 2, 3})),
        new FragmentBatch.Entry(Bytes.wrap(id(2)), new Fragment(facts("c", "d"), new byte[] {4}))));
    byte[] bytes = serde.serializer().serialize("", batch);
    FragmentBatch read = (FragmentBatch) serde.deserializer().deserialize("", bytes);
    assertThat(read.partition()).isEqualTo(3);
    assertThat(read.entries()).extracting(e -> e.traceId()).containsExactly(Bytes.wrap(id(1)), Bytes.wrap(id(2)));
    assertThat(read.entries().get(0).fragment().tracesData()).containsExactly(1, 2, 3);
    assertThat(read.entries().get(1).fragment().tracesData()).containsExactly(4);
    assertThat(read.entries().get(1).fragment().facts().services()).containsExactlyInAnyOrder("gateway", "c");
    // Each entry is a trace id and the fragment's own V1 body (its bytes after the version byte).
    byte[] v1 = InternalSerdes.FRAGMENT.serializer().serialize("", batch.entries().get(0).fragment());
    assertThat(hex(bytes)).contains("10" + hex(id(1)) + hex(v1).substring(2));
  }

  @Test
  void aCorruptBatchIsASerializationErrorNotAHugeAllocation() {
    var serde = InternalSerdes.BY_TRACE;
    byte[] good = serde.serializer().serialize("", new FragmentBatch(0, List.of(
        new FragmentBatch.Entry(Bytes.wrap(id(1)), new Fragment(one("a", "b"), new byte[] {1, 2, 3})))));
    byte[] hugeCount = good.clone();
    hugeCount[5] = 0x7f; // the count's first byte
    assertThatThrownBy(() -> serde.deserializer().deserialize("", hugeCount))
        .isInstanceOf(SerializationException.class).hasMessageContaining("fragment count");
    byte[] hugeLength = good.clone();
    int lengthAt = good.length - 3 - 4; // the span bytes' length, before the 3 span bytes
    hugeLength[lengthAt] = 0x7f;
    assertThatThrownBy(() -> serde.deserializer().deserialize("", hugeLength))
        .isInstanceOf(SerializationException.class).hasMessageContaining("needed");
    byte[] cut = java.util.Arrays.copyOf(good, good.length - 1);
    assertThatThrownBy(() -> serde.deserializer().deserialize("", cut)).isInstanceOf(SerializationException.class);
  }

  @Test
  void theBoundABatchIsCutByIsNeverBelowWhatAnEntryTakes() {
    String longName = "\u6a21".repeat(TraceFacts.MAX_NAME_CHARS);
    for (TraceFacts f : List.of(one("a", "b"), facts("svc", "model"), one(longName, longName))) {
      Fragment fragment = new Fragment(f, new byte[100]);
      byte[] alone = InternalSerdes.BY_TRACE.serializer().serialize("", new FragmentBatch(0,
          List.of(new FragmentBatch.Entry(Bytes.wrap(id(1)), fragment))));
      long entryBytes = alone.length - 9; // the batch's marker, partition and count
      assertThat(InternalSerdes.batchEntryBytesBound(Bytes.wrap(id(1)), fragment))
          .isGreaterThanOrEqualTo(entryBytes);
    }
  }

  private static byte[] id(int n) {
    byte[] id = new byte[16];
    id[15] = (byte) n;
    id[0] = 0x0a;
    return id;
  }

  @Test
  void summariesAreWrittenExactlyAsV1() {
    assertThat(hex(InternalSerdes.SUMMARY.serializer().serialize("",
        new TraceSummary(one("ranker", "ranker-v3"), 10, 20, 15, 0, 0)))).isEqualTo(ONE_ASCII);
    // NUL, non-Latin characters and a surrogate pair: Java's modified UTF-8, as DataOutput writes it.
    assertThat(hex(InternalSerdes.SUMMARY.serializer().serialize("",
        new TraceSummary(one("r\u00e4nker\u0000", "\u6a21\u578b-v3\uD83D\uDE80"), 10, 20, -1, 0, 0))))
        .isEqualTo(ONE_UNICODE);
  }

  @Test
  void v1SummariesReadBackWhole() {
    TraceSummary s = InternalSerdes.SUMMARY.deserializer().deserialize("", HEX.parseHex(SUMMARY_UNICODE));
    assertThat(s.facts().services()).containsExactlyInAnyOrder("gateway", "r\u00e4nker\u0000");
    assertThat(s.facts().modelMaxNanos()).containsExactly(Map.entry("\u6a21\u578b-v3\uD83D\uDE80", 812_000_000L));
    assertThat(s.facts().keyAttributes()).containsExactly(Map.entry("http.route", "/v1/predict"));
    assertThat(s.facts().features()).containsExactly(5, -1, 900);
    assertThat(s.facts().rootSeen()).isTrue();
    assertThat(s.facts().errorSeen()).isFalse();
    assertThat(s.facts().spanCount()).isEqualTo(7);
    assertThat(s.facts().randomness()).isEqualTo(0x00ab_cdef_0123_4567L);
    assertThat(s.firstMs()).isEqualTo(10);
    assertThat(s.lastMs()).isEqualTo(20);
    assertThat(s.rootMs()).isEqualTo(-1);
    TraceSummary ascii = InternalSerdes.SUMMARY.deserializer().deserialize("", HEX.parseHex(SUMMARY_ASCII));
    TraceSummary again = InternalSerdes.SUMMARY.deserializer().deserialize("",
        InternalSerdes.SUMMARY.serializer().serialize("", ascii));
    assertThat(again.facts().services()).isEqualTo(ascii.facts().services()).hasSize(2);
    assertThat(again.facts().modelMaxNanos()).isEqualTo(ascii.facts().modelMaxNanos());
    assertThat(again.facts().features()).isEqualTo(ascii.facts().features());
    assertThat(again.rootMs()).isEqualTo(15);
  }

  @Test
  void fragmentsAndDecisionsKeepTheirV1Bytes() {
    assertThat(hex(InternalSerdes.FRAGMENT.serializer().serialize("",
        new Fragment(one("ranker", "ranker-v3"), new byte[] {1, 2, 3})))).isEqualTo(ONE_FRAGMENT);
    Fragment f = InternalSerdes.FRAGMENT.deserializer().deserialize("", HEX.parseHex(FRAGMENT));
    assertThat(f.tracesData()).containsExactly(1, 2, 3);
    assertThat(f.facts().services()).containsExactlyInAnyOrder("gateway", "ranker");
    Decision d = InternalSerdes.DECISION.deserializer().deserialize("", HEX.parseHex(DECISION));
    assertThat(d).isEqualTo(new Decision(true, "slow-model", 1L << 40, "3f9c0a1b"));
    assertThat(hex(InternalSerdes.DECISION.serializer().serialize("", d))).isEqualTo(DECISION);
  }

  @Test
  void corruptOrNewerRecordsFailWithAClearError() {
    byte[] golden = HEX.parseHex(SUMMARY_ASCII);
    byte[] truncated = java.util.Arrays.copyOf(golden, golden.length - 5);
    assertThatThrownBy(() -> InternalSerdes.SUMMARY.deserializer().deserialize("", truncated))
        .isInstanceOf(SerializationException.class).hasMessageContaining("corrupt internal record");
    byte[] newer = golden.clone();
    newer[0] = 2;
    assertThatThrownBy(() -> InternalSerdes.SUMMARY.deserializer().deserialize("", newer))
        .isInstanceOf(SerializationException.class).hasMessageContaining("version 2");
  }

  private static String hex(byte[] bytes) {
    return HEX.formatHex(bytes);
  }

  @Test
  void namesAndCountsBeyondTheFormatsLimitsAreCutNotFailed() {
    // What the extractor never lets through, still written: a 70,000-char service and model,
    // 40,000 services, a non-ASCII name of over 65,535 bytes in modified UTF-8.
    Set<String> services = new LinkedHashSet<>();
    services.add("s".repeat(70_000));
    for (int i = 0; i < 40_000; i++) {
      services.add("service-" + i);
    }
    TraceFacts huge = new TraceFacts(1, 10, 0, 1, true, false,
        Map.of("\u6a21".repeat(30_000), 5L), services, -1, -1, 0, new long[0],
        Map.of("http.route", "r".repeat(70_000)));
    byte[] bytes = InternalSerdes.FRAGMENT.serializer().serialize("", new Fragment(huge, new byte[] {1}));
    Fragment back = InternalSerdes.FRAGMENT.deserializer().deserialize("", bytes);
    assertThat(back.facts().services()).hasSize(Short.MAX_VALUE);
    String model = back.facts().modelMaxNanos().keySet().iterator().next();
    assertThat(model).endsWith("\u2026").startsWith("\u6a21\u6a21");
    assertThat(model.length()).isLessThan(30_000).isGreaterThan(21_000); // 3 bytes a char, 65,535 at most
    // 65,532 ASCII chars and the 3-byte marker: 65,535 bytes, the most a V1 string holds.
    assertThat(back.facts().keyAttributes().get("http.route")).hasSize(65_533).endsWith("\u2026");
    assertThat(back.tracesData()).containsExactly(1);
  }
}
