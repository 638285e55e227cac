package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DynamicSamplerTest {
  @Test
  void theListenerIsToldOfAnAdjustmentAfterTheSamplersLockIsReleased() {
    List<String> changed = new ArrayList<>();
    List<Boolean> underLock = new ArrayList<>();
    DynamicSampler[] sampler = new DynamicSampler[1];
    sampler[0] = new DynamicSampler(DynamicSampler.Goal.AVERAGE, 0.1, 1_000, () -> 1,
        (key, oldRate, newRate) -> {
          changed.add(key);
          underLock.add(Thread.holdsLock(sampler[0]));
        });
    for (int i = 0; i < 100; i++) {
      sampler[0].rate(i % 10 == 0 ? "rare" : "busy", i);
    }
    sampler[0].rate("busy", 1_000); // the interval is over: adjusts
    assertThat(changed).containsExactlyInAnyOrder("rare", "busy");
    assertThat(underLock).containsOnly(false);
  }
}
