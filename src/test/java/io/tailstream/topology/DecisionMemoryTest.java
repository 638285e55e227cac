package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.buffer.DecidedIndex;
import io.tailstream.buffer.DecisionMemory;
import io.tailstream.decide.Decision;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DecisionMemory} over the stores buffer-and-decide gives it. */
class DecisionMemoryTest {
  private static final Duration TTL = Duration.ofMinutes(2);
  private static final long T0 = 1_790_000_000_000L;

  @TempDir
  Path dir;

  private WindowStore<Bytes, Decision> decisions;
  private WindowStore<Bytes, byte[]> dropped;
  private final AtomicLong clock = new AtomicLong(T0);

  @BeforeEach
  void stores() {
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>(new java.util.Properties(),
        new org.apache.kafka.streams.processor.TaskId(0, 0), dir.toFile());
    decisions = Stores.windowStoreBuilder(Stores.inMemoryWindowStore("decisions", TTL, Duration.ofMillis(1), false),
        Serdes.Bytes(), InternalSerdes.DECISION).withLoggingDisabled().build();
    decisions.init(context.getStateStoreContext(), decisions);
    dropped = Stores.windowStoreBuilder(Stores.inMemoryWindowStore("dropped", TTL, Duration.ofMillis(1), true),
        Serdes.Bytes(), Serdes.ByteArray()).withLoggingDisabled().build();
    dropped.init(context.getStateStoreContext(), dropped);
  }

  private DecisionMemory memory() {
    return new DecisionMemory(TTL, decisions, dropped, clock::get);
  }

  private static Bytes id(int n) {
    byte[] b = new byte[16];
    b[15] = (byte) n;
    return Bytes.wrap(b);
  }

  @Test
  void keptAndDroppedTracesAreRememberedAndAReopenedMemoryKnowsThem() {
    DecisionMemory memory = memory();
    Decision keep = new Decision(true, "errors", 0, "v1");
    memory.remember(id(1), keep, T0);
    memory.remember(id(2), new Decision(false, Decision.NO_RULE, 0, "v1"), T0);
    memory.flush(T0);
    assertThat(memory.state(id(1), T0)).isEqualTo(DecidedIndex.State.KEPT);
    assertThat(memory.state(id(2), T0)).isEqualTo(DecidedIndex.State.DROPPED);
    assertThat(memory.state(id(3), T0)).isEqualTo(DecidedIndex.State.UNKNOWN);
    memory.close();

    DecisionMemory reopened = memory();
    assertThat(reopened.state(id(1), T0 + 1_000)).isEqualTo(DecidedIndex.State.KEPT);
    assertThat(reopened.kept(id(1), T0 + 1_000).rule()).isEqualTo("errors");
    assertThat(reopened.state(id(2), T0 + 1_000)).as("dropped ids come back from their batch")
        .isEqualTo(DecidedIndex.State.DROPPED);
  }

  @Test
  void droppedIdsThatWereNeverFlushedAreNotRemembered() {
    DecisionMemory memory = memory();
    memory.remember(id(4), new Decision(false, Decision.NO_RULE, 0, "v1"), T0);
    memory.close(); // no flush: Kafka Streams never got to commit them
    assertThat(memory().state(id(4), T0)).isEqualTo(DecidedIndex.State.UNKNOWN);
  }

  @Test
  void decisionsAreForgottenOnceTheTtlOfInputTimeHasPassed() {
    DecisionMemory memory = memory();
    memory.remember(id(5), new Decision(true, "errors", 0, "v1"), T0);
    assertThat(memory.state(id(5), T0 + TTL.toMillis() - 1)).isEqualTo(DecidedIndex.State.KEPT);
    long later = T0 + TTL.toMillis() + TTL.toMillis() / 10; // the index expires in tenths of the TTL
    clock.set(later);
    assertThat(memory.state(id(5), later)).isEqualTo(DecidedIndex.State.UNKNOWN);
  }
}
