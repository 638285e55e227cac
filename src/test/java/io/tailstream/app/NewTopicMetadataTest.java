package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class NewTopicMetadataTest {
  private static ExecutionException unknown() {
    return new ExecutionException(new UnknownTopicOrPartitionException("This server does not host this topic-partition."));
  }

  @Test
  void aTopicNotInTheMetadataYetIsAskedAboutAgainUntilItIs() throws Exception {
    AtomicInteger calls = new AtomicInteger();

    String answer = NewTopicMetadata.ask(() -> {
      if (calls.incrementAndGet() < 3) {
        throw unknown();
      }
      return "12 partitions";
    }, Duration.ofSeconds(30));

    assertThat(answer).isEqualTo("12 partitions");
    assertThat(calls).hasValue(3);
  }

  @Test
  void aTopicThatStaysUnknownIsReportedOnceThePatienceIsSpent() {
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(() -> NewTopicMetadata.ask(() -> {
      calls.incrementAndGet();
      throw unknown();
    }, Duration.ofMillis(300))).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    assertThat(calls.get()).isGreaterThan(1);
  }

  @Test
  void otherFailuresAreNotRetried() {
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(() -> NewTopicMetadata.ask(() -> {
      calls.incrementAndGet();
      throw new ExecutionException(new TopicAuthorizationException("denied"));
    }, Duration.ofSeconds(30))).hasCauseInstanceOf(TopicAuthorizationException.class);
    assertThat(calls).hasValue(1);
  }
}
