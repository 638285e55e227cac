package io.tailstream.app;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Asks the cluster about a topic again while it answers "unknown topic". A topic created a moment
 * ago (by {@link TopicProvisioner}, by {@link BufferLogTopic}, or by a deployment script just
 * before the start) is not in every broker's metadata yet: describing it at once fails with
 * {@link UnknownTopicOrPartitionException} although it exists ({@code OperationsIntegrationTest}
 * stopped at start once this way). A topic that stays unknown for {@code patience} is reported
 * as the failure it is.
 */
final class NewTopicMetadata {
  static final Duration PATIENCE = Duration.ofSeconds(15);
  private static final long PAUSE_MS = 200;

  /** One admin request whose future may fail. */
  interface Request<T> {
    T send() throws InterruptedException, ExecutionException, TimeoutException;
  }

  private NewTopicMetadata() {}

  static <T> T ask(Request<T> request) throws InterruptedException, ExecutionException, TimeoutException {
    return ask(request, PATIENCE);
  }

  static <T> T ask(Request<T> request, Duration patience)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      try {
        return request.send();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
          throw e;
        }
        TimeUnit.MILLISECONDS.sleep(PAUSE_MS);
      }
    }
  }
}
