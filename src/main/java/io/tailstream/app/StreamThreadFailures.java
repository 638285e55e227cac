package io.tailstream.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a stream thread dies of an exception no handler took: Kafka Streams
 * replaces the thread, up to {@code maxReplacements} times within {@code window}; past that the
 * instance stops (its exit code says failed) so that the orchestrator restarts it and an alert
 * fires. Bad records never get here (they are dead-lettered); what does is the cluster (a
 * request that timed out, a coordinator that moved) or a bug, and one such failure should not
 * cost a restart of the whole process and its stores. Replacing a thread is safe under
 * exactly-once: its open transaction is aborted and its tasks start again from their last
 * commit, on the new thread or another instance. Counted in
 * {@code tailstream_stream_thread_failures_total}.
 */
final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(StreamThreadFailures.class);

  static final int MAX_REPLACEMENTS = 3;
  static final Duration WINDOW = Duration.ofMinutes(10);

  private final int maxReplacements;
  private final long windowMs;
  private final LongSupplier clockMs;
  private final Counter failures;
  private final Deque<Long> replacedAtMs = new ArrayDeque<>();
  private volatile Throwable last;
  private volatile boolean gaveUp;

  StreamThreadFailures(MeterRegistry registry) {
    this(registry, MAX_REPLACEMENTS, WINDOW, System::currentTimeMillis);
  }

  StreamThreadFailures(MeterRegistry registry, int maxReplacements, Duration window, LongSupplier clockMs) {
    this.maxReplacements = maxReplacements;
    this.windowMs = window.toMillis();
    this.clockMs = clockMs;
    this.failures = Counter.builder("tailstream.stream.thread.failures")
        .description("stream threads that died of an exception no handler took").register(registry);
  }

  @Override
  public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
    failures.increment();
    last = exception;
    long now = clockMs.getAsLong();
    while (!replacedAtMs.isEmpty() && now - replacedAtMs.peekFirst() > windowMs) {
      replacedAtMs.removeFirst();
    }
    if (replacedAtMs.size() < maxReplacements) {
      replacedAtMs.addLast(now);
      log.error("stream thread failed; replacing it ({} of {} replacements allowed in {} min)",
          replacedAtMs.size(), maxReplacements, windowMs / 60_000, exception);
      return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
    gaveUp = true;
    log.error("stream thread failed {} times in {} min; stopping this instance so that it can be "
        + "restarted", maxReplacements + 1, windowMs / 60_000, exception);
    return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
  }

  /** The last exception a stream thread died of, or null. */
  Throwable last() {
    return last;
  }

  /** Whether too many failures stopped the instance. */
  boolean gaveUp() {
    return gaveUp;
  }
}
