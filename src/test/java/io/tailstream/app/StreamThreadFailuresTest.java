package io.tailstream.app;

import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
import static org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final StreamThreadFailures failures =
      new StreamThreadFailures(registry, 2, Duration.ofMinutes(10), now::get);

  @Test
  void aFailedThreadIsReplacedUntilTooManyFailInTheWindowThenTheInstanceStops() {
    assertThat(failures.handle(new IllegalStateException("one"))).isEqualTo(REPLACE_THREAD);
    now.addAndGet(60_000);
    assertThat(failures.handle(new IllegalStateException("two"))).isEqualTo(REPLACE_THREAD);
    assertThat(failures.gaveUp()).isFalse();

    now.addAndGet(60_000);
    assertThat(failures.handle(new IllegalStateException("three"))).isEqualTo(SHUTDOWN_CLIENT);

    assertThat(failures.gaveUp()).isTrue();
    assertThat(failures.last()).hasMessage("three");
    assertThat(registry.get("tailstream.stream.thread.failures").counter().count()).isEqualTo(3);
  }

  @Test
  void failuresOlderThanTheWindowNoLongerCount() {
    failures.handle(new IllegalStateException("one"));
    failures.handle(new IllegalStateException("two"));
    now.addAndGet(Duration.ofMinutes(10).toMillis() + 1);

    assertThat(failures.handle(new IllegalStateException("three"))).isEqualTo(REPLACE_THREAD);
    assertThat(failures.gaveUp()).isFalse();
  }

  @Test
  void nothingFailedIsNothingToReport() {
    assertThat(failures.last()).isNull();
    assertThat(failures.gaveUp()).isFalse();
    assertThat(registry.get("tailstream.stream.thread.failures").counter().count()).isZero();
  }
}
