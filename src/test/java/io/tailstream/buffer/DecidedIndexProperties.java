package io.tailstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import org.apache.kafka.common.utils.Bytes;

/**
 * A new trace must never look decided: among a few million distinct ids of the shapes seen in
 * practice, none is found in the index before it was added. Each try adds 2^21 ids spread over
 * the TTL (several slices, each grown many times); shrinking is off because a failure already
 * names the id.
 */
class DecidedIndexProperties {
  private static final int IDS = 1 << 21;
  private static final long TTL = 600_000;

  /** 64-bit ids padded with zeros, as converted from Jaeger, Zipkin B3 or Datadog. */
  @Property(tries = 4, shrinking = ShrinkingMode.OFF)
  void noZeroPaddedIdLooksDecidedBeforeItIs(@ForAll long seed) {
    long[] lows = new SplittableRandom(seed).longs(IDS).sorted().distinct().toArray();
    assertNoneLooksDecided(lows.length, i -> id(0, lows[i]));
  }

  /** Ids that count up from anywhere, carrying into the high half when the low half wraps. */
  @Property(tries = 4, shrinking = ShrinkingMode.OFF)
  void noSequentialIdLooksDecidedBeforeItIs(@ForAll long high, @ForAll long firstLow) {
    assertNoneLooksDecided(IDS, i -> {
      long low = firstLow + i;
      return id(Long.compareUnsigned(low, firstLow) < 0 ? high + 1 : high, low);
    });
  }

  private interface Ids {
    Bytes id(int i);
  }

  private static void assertNoneLooksDecided(int count, Ids ids) {
    DecidedIndex index = new DecidedIndex(TTL);
    for (int i = 0; i < count; i++) {
      Bytes id = ids.id(i);
      long now = (long) i * (TTL - 1) / count;
      DecidedIndex.State state = index.state(id, now);
      if (state != DecidedIndex.State.UNKNOWN) {
        assertThat(state).as("new id %s (number %,d) looks decided", hex(id), i)
            .isEqualTo(DecidedIndex.State.UNKNOWN);
      }
      index.add(id, (i & 1) == 0, now);
    }
    assertThat(index.size()).isEqualTo(count);
  }

  private static Bytes id(long high, long low) {
    return Bytes.wrap(ByteBuffer.allocate(16).putLong(high).putLong(low).array());
  }

  private static String hex(Bytes id) {
    StringBuilder sb = new StringBuilder();
    for (byte b : id.get()) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }
}
