package io.tailstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class DecidedIndexTest {
  private static final long TTL = 60_000;

  private static Bytes randomId(Random random) {
    byte[] raw = new byte[16];
    random.nextBytes(raw);
    return Bytes.wrap(raw);
  }

  @Test
  void remembersDecidedTracesForTheWholeTtl() {
    DecidedIndex index = new DecidedIndex(TTL);
    Bytes id = randomId(new Random(1));
    assertThat(index.state(id, 1_000)).isEqualTo(DecidedIndex.State.UNKNOWN);
    index.add(id, false, 1_000);
    assertThat(index.state(id, 1_000)).isEqualTo(DecidedIndex.State.DROPPED);
    assertThat(index.state(id, 1_000 + TTL - 1)).isEqualTo(DecidedIndex.State.DROPPED);
  }

  @Test
  void tellsKeptFromDropped() {
    DecidedIndex index = new DecidedIndex(TTL);
    Random random = new Random(4);
    Bytes kept = randomId(random);
    Bytes dropped = randomId(random);
    index.add(kept, true, 1_000);
    index.add(dropped, false, 1_000);
    assertThat(index.state(kept, 2_000)).isEqualTo(DecidedIndex.State.KEPT);
    assertThat(index.state(dropped, 2_000)).isEqualTo(DecidedIndex.State.DROPPED);
  }

  @Test
  void forgetsThemOnceTheSliceIsOlderThanTheTtl() {
    DecidedIndex index = new DecidedIndex(TTL);
    Bytes id = randomId(new Random(2));
    index.add(id, true, 1_000);
    // The entry's slice ends at 6 s; everything in it is older than the TTL from 66 s on.
    assertThat(index.state(id, 6_000 + TTL)).isEqualTo(DecidedIndex.State.UNKNOWN);
    assertThat(index.size()).isZero();
  }

  @Test
  void hasNoFalseNegativesAndFewFalsePositives() {
    DecidedIndex index = new DecidedIndex(TTL);
    Random random = new Random(3);
    List<Bytes> decided = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      Bytes id = randomId(random);
      decided.add(id);
      index.add(id, i % 2 == 0, i); // spread over 50 s: several slices, each grown many times
    }
    for (int i = 0; i < decided.size(); i++) {
      assertThat(index.state(decided.get(i), 50_000))
          .isEqualTo(i % 2 == 0 ? DecidedIndex.State.KEPT : DecidedIndex.State.DROPPED);
    }
    int falsePositives = 0;
    for (int i = 0; i < 50_000; i++) {
      if (index.state(randomId(random), 50_000) != DecidedIndex.State.UNKNOWN) {
        falsePositives++;
      }
    }
    // 64-bit fingerprints: a collision among 50k x 50k pairs has odds around 1e-10.
    assertThat(falsePositives).isZero();
    assertThat(index.size()).isEqualTo(50_000);
  }

  @Test
  void zeroPaddedIdsEndingIn0128And0209AreToldApart() {
    // Under the old h * 31 + byte fingerprint both came to 71 (1 * 31 + 0x28 == 2 * 31 + 0x09):
    // the second trace looked dropped and every span of it was discarded.
    DecidedIndex index = new DecidedIndex(TTL);
    index.add(zeroPadded(0x0128), false, 1_000);
    assertThat(index.state(zeroPadded(0x0209), 2_000)).isEqualTo(DecidedIndex.State.UNKNOWN);
    assertThat(index.state(zeroPadded(0x0128), 2_000)).isEqualTo(DecidedIndex.State.DROPPED);
  }

  @Test
  void aKeptDecisionWinsOverADropOfTheSameTraceInEitherOrder() {
    DecidedIndex index = new DecidedIndex(TTL);
    Random random = new Random(5);
    Bytes keptLater = randomId(random);
    Bytes keptFirst = randomId(random);
    index.add(keptLater, false, 1_000);
    index.add(keptLater, true, 1_000);
    index.add(keptFirst, true, 1_000);
    index.add(keptFirst, false, 1_000);
    assertThat(index.state(keptLater, 2_000)).isEqualTo(DecidedIndex.State.KEPT);
    assertThat(index.state(keptFirst, 2_000)).isEqualTo(DecidedIndex.State.KEPT);
    assertThat(index.size()).isEqualTo(2);
  }

  @Test
  void theAllZeroIdWhoseFingerprintMarksEmptySlotsIsHeldAside() {
    DecidedIndex index = new DecidedIndex(TTL);
    Bytes zero = Bytes.wrap(new byte[16]);
    assertThat(index.state(zero, 1_000)).isEqualTo(DecidedIndex.State.UNKNOWN);
    index.add(zero, false, 1_000);
    assertThat(index.state(zero, 1_000)).isEqualTo(DecidedIndex.State.DROPPED);
    index.add(zero, true, 1_000);
    assertThat(index.state(zero, 1_000)).isEqualTo(DecidedIndex.State.KEPT);
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.state(zero, 6_000 + TTL)).isEqualTo(DecidedIndex.State.UNKNOWN);
  }

  @Test
  void idsThatAreNotSixteenBytesAreRememberedWithoutThrowing() {
    DecidedIndex index = new DecidedIndex(TTL);
    index.add(Bytes.wrap(new byte[] {1, 2, 3}), true, 1_000);
    assertThat(index.state(Bytes.wrap(new byte[] {1, 2, 3}), 1_000)).isEqualTo(DecidedIndex.State.KEPT);
    assertThat(index.state(Bytes.wrap(new byte[] {1, 2, 3, 0}), 1_000)).isEqualTo(DecidedIndex.State.UNKNOWN);
    assertThat(index.state(Bytes.wrap(new byte[0]), 1_000)).isEqualTo(DecidedIndex.State.UNKNOWN);
  }

  private static Bytes zeroPadded(long id64) {
    return Bytes.wrap(java.nio.ByteBuffer.allocate(16).putLong(8, id64).array());
  }
}
