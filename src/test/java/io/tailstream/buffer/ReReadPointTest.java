package io.tailstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class ReReadPointTest {
  private static Bytes id(int n) {
    byte[] b = new byte[16];
    b[15] = (byte) n;
    b[0] = (byte) (n >> 8);
    return Bytes.wrap(b);
  }

  @Test
  void theOldestStillBufferedTraceSetsThePoint() {
    ReReadPoint point = new ReReadPoint();
    Set<Bytes> buffered = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      point.entered(id(i), 100 + i * 10);
      buffered.add(id(i));
    }
    assertThat(point.advance(buffered::contains)).isEqualTo(100);
    buffered.remove(id(1)); // decided out of order: the head is still buffered
    assertThat(point.advance(buffered::contains)).isEqualTo(100);
    buffered.remove(id(0));
    assertThat(point.advance(buffered::contains)).as("1 was decided too").isEqualTo(120);
    buffered.clear();
    assertThat(point.advance(buffered::contains)).isEqualTo(ReReadPoint.NONE);
  }

  @Test
  void growsPastAPageAndGivesBackDeadSpace() {
    ReReadPoint point = new ReReadPoint();
    Set<Bytes> buffered = new HashSet<>();
    for (int i = 0; i < 50_000; i++) {
      point.entered(id(i), i);
      buffered.add(id(i));
      if (i >= 10) {
        buffered.remove(id(i - 10));
        point.advance(buffered::contains);
      }
    }
    assertThat(point.advance(buffered::contains)).isEqualTo(49_990);
    assertThat(point.size()).isEqualTo(10);
  }
}
