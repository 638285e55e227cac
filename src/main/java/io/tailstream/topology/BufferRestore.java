package io.tailstream.topology;

import io.tailstream.buffer.BufferLog;
import io.tailstream.buffer.BufferPosition;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.apache.kafka.common.utils.Bytes;

/**
 * Decides, when a task starts, whether its local buffer can be trusted or must be rebuilt from
 * the log.
 *
 * <p>The local stores (spans, summaries) are not changelogged. They can be trusted only when
 * this instance closed the task cleanly (it then leaves a <em>clean mark</em>: the epoch and the
 * next offset it would have read) and nobody processed the partition since: the mark's offset
 * is where Kafka Streams resumes, or only transaction markers lie between. Otherwise (a crash,
 * the task ran elsewhere meanwhile, a new instance) the buffer is wiped and rebuilt by reading
 * the log from the changelogged {@link BufferPosition} up to where Kafka Streams resumes,
 * under a new epoch.
 */
final class BufferRestore {
  /** Key of the task's {@link BufferPosition} in its position store. */
  static final Bytes POSITION_KEY = Bytes.wrap(new byte[] {'p'});
  /** Key of the clean mark in the task's local store. */
  static final Bytes CLEAN_KEY = Bytes.wrap(new byte[] {'c'});

  /**
   * What to do: keep or wipe the local buffer, under which epoch, and which offsets to re-read
   * ({@code from} to {@code until}, exclusive; empty when equal). {@code nextOffset} is the
   * offset Kafka Streams resumes from, -1 when not known.
   */
  record Plan(boolean wipe, int epoch, long from, long until, long nextOffset) {
    boolean rereads() {
      return from < until;
    }
  }

  private BufferRestore() {}

  static byte[] cleanMark(int epoch, long nextOffset) {
    return ByteBuffer.allocate(12).putInt(epoch).putLong(nextOffset).array();
  }

  static Plan plan(BufferLog log, String topic, int partition, BufferPosition position, byte[] cleanMark,
      IntSupplier newEpoch) {
    if (!log.available()) {
      return new Plan(false, position == null ? 0 : position.epoch(), 0, 0, -1);
    }
    long committed = log.committedOffset(topic, partition);
    if (position == null || committed < 0) {
      // Nothing of this partition was committed with a buffer position: whatever is local was
      // never committed either.
      return new Plan(true, newEpoch.getAsInt(), 0, 0, Math.max(committed, 0));
    }
    if (cleanMark != null && cleanMark.length == 12) {
      ByteBuffer mark = ByteBuffer.wrap(cleanMark);
      int epoch = mark.getInt();
      long next = mark.getLong();
      if (epoch == position.epoch() && next <= committed && nothingBetween(log, topic, partition, next, committed)) {
        return new Plan(false, epoch, 0, 0, committed);
      }
    }
    long from = Math.min(position.reReadFrom(), committed);
    return new Plan(true, newEpoch.getAsInt(), from, committed, committed);
  }

  private static boolean nothingBetween(BufferLog log, String topic, int partition, long from, long until) {
    if (from == until) {
      return true;
    }
    AtomicLong records = new AtomicLong();
    log.read(topic, partition, from, until, r -> records.incrementAndGet());
    return records.get() == 0;
  }
}
