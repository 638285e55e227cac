package io.tailstream.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class ReReadPointTest {
  private static Bytes id(int n) {
    byte[] b = new byte[16];
    b[15] = (byte) n;
    b[0] = (byte) (n >> 8);
    b[1] = (byte) (n >> 16);
    return Bytes.wrap(b);
  }

  @Test
  void theOldestStillBufferedTraceSetsThePoint() {
    ReReadPoint point = new ReReadPoint();
    for (int i = 0; i < 5; i++) {
      point.entered(id(i), 100 + i * 10);
    }
    assertThat(point.advance()).isEqualTo(100);
    point.left(id(1), 110); // decided out of order: the head is still buffered
    assertThat(point.advance()).isEqualTo(100);
    point.left(id(0), 100);
    assertThat(point.advance()).as("1 was decided too").isEqualTo(120);
    for (int i = 2; i < 5; i++) {
      point.left(id(i), 100 + i * 10);
    }
    assertThat(point.advance()).isEqualTo(ReReadPoint.NONE);
  }

  @Test
  void tracesOfOneBatchShareAnOffsetAndLeaveOneByOne() {
    ReReadPoint point = new ReReadPoint();
    point.entered(id(1), 7);
    point.entered(id(2), 7);
    point.entered(id(3), 7);
    point.entered(id(4), 8);
    point.left(id(1), 7);
    point.left(id(3), 7);
    assertThat(point.advance()).as("2 of the batch at 7 is still buffered").isEqualTo(7);
    point.left(id(2), 7);
    assertThat(point.advance()).isEqualTo(8);
  }

  @Test
  void aTraceThatLeftIsNotMarkedTwiceAndAnUnknownOneKeepsThePointWhereItWas() {
    ReReadPoint point = new ReReadPoint();
    point.entered(id(1), 5);
    point.left(id(1), 5);
    point.entered(id(1), 9); // the same trace buffered again later (a late span after its TTL)
    point.left(id(1), 5); // an old leave again: must not mark the new entry
    assertThat(point.advance()).isEqualTo(9);
    point.left(id(2), 9); // never entered
    point.left(id(1), 4); // wrong offset
    assertThat(point.advance()).isEqualTo(9);
    point.left(id(1), 9);
    assertThat(point.advance()).isEqualTo(ReReadPoint.NONE);
    assertThatThrownBy(() -> point.entered(id(3), -1)).hasMessageContaining("-1");
  }

  @Test
  void growsPastAPageAndGivesBackDeadSpace() {
    ReReadPoint point = new ReReadPoint();
    for (int i = 0; i < 50_000; i++) {
      point.entered(id(i), i);
      if (i >= 10) {
        point.left(id(i - 10), i - 10);
        point.advance();
      }
    }
    assertThat(point.advance()).isEqualTo(49_990);
    assertThat(point.size()).isEqualTo(10);
  }
}
