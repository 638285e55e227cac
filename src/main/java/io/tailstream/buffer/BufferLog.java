package io.tailstream.buffer;

import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The log a task's buffer is a cache of: the keyed input topic, or the by-trace topic. A task
 * that starts without a local buffer it can trust (after a crash, a task move, a scale-out)
 * reads it again from its {@link ReReadPoint} up to where Kafka Streams resumes.
 */
public interface BufferLog {
  /** No log to read (TopologyTestDriver, tools): the local stores are trusted as they are. */
  BufferLog NONE = new BufferLog() {
    @Override
    public long committedOffset(String topic, int partition) {
      return -1;
    }

    @Override
    public Read read(String topic, int partition, long from, long until,
        Consumer<ConsumerRecord<byte[], byte[]>> each) {
      return new Read(0, 0, 0);
    }

    @Override
    public boolean available() {
      return false;
    }
  };

  /** What a read found: records and their bytes, and offsets retention had already deleted. */
  record Read(long records, long bytes, long missing) {}

  /** The offset Kafka Streams resumes the partition from (its committed offset), or -1 if none. */
  long committedOffset(String topic, int partition);

  /**
   * Hands the partition's records with offsets in [{@code from}, {@code until}) to {@code each},
   * in order (committed records only).
   */
  Read read(String topic, int partition, long from, long until, Consumer<ConsumerRecord<byte[], byte[]>> each);

  /** False for {@link #NONE}. */
  default boolean available() {
    return true;
  }
}
