package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LiveInstancesTest {
  @Test
  void countsProcessesNotThreads() {
    assertThat(LiveInstances.countProcesses("tailstream", List.of(
        "tailstream-7c1f3b2a-1111-4c3d-9e5f-aaaaaaaaaaaa-StreamThread-1-consumer",
        "tailstream-7c1f3b2a-1111-4c3d-9e5f-aaaaaaaaaaaa-StreamThread-2-consumer",
        "tailstream-0d9e8f7a-2222-4c3d-9e5f-bbbbbbbbbbbb-StreamThread-1-consumer",
        "someone-else-consumer"))).isEqualTo(2);
    assertThat(LiveInstances.countProcesses("tailstream", List.of())).isZero();
  }
}
