package io.tailstream.app;

import io.tailstream.buffer.BufferLog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.errors.StreamsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The buffer's log on a Kafka cluster: committed offsets come from the application's consumer
 * group (what Kafka Streams resumes from), records from a plain read-committed consumer that
 * joins no group, created for one read and closed after it. Called from stream threads when a
 * task starts; the admin client is shared, being thread-safe.
 */
final class KafkaBufferLog implements BufferLog, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(KafkaBufferLog.class);
  /** A read that makes no progress for this long gives up: the broker is not answering. */
  private static final Duration STALL = Duration.ofSeconds(60);

  private final String groupId;
  private final Properties consumerProps;
  private final Admin admin;

  KafkaBufferLog(String groupId, Properties consumerProps, Properties adminProps) {
    this.groupId = groupId;
    this.consumerProps = consumerProps;
    this.admin = TopicProvisioner.connect(adminProps);
  }

  @Override
  public long committedOffset(String topic, int partition) {
    TopicPartition tp = new TopicPartition(topic, partition);
    try {
      // Stable offsets only: a transaction of the task's previous owner that is still being
      // committed would otherwise show the offset before it, and the re-read would stop short.
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId,
              new ListConsumerGroupOffsetsOptions().requireStable(true))
          .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      OffsetAndMetadata o = committed.get(tp);
      return o == null ? -1 : o.offset();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptException(e);
    } catch (ExecutionException | TimeoutException e) {
      // Failing the task start makes Kafka Streams retry it; guessing would lose traces.
      throw new StreamsException("cannot read the committed offset of " + tp + " for group " + groupId
          + " to rebuild its buffer: " + e.getMessage(), e);
    }
  }

  @Override
  public Read read(String topic, int partition, long from, long until,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    TopicPartition tp = new TopicPartition(topic, partition);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      long start = consumer.beginningOffsets(List.of(tp)).get(tp);
      long missing = Math.max(0, Math.min(start, until) - from);
      long at = Math.max(from, start);
      if (at >= until) {
        return new Read(0, 0, missing);
      }
      consumer.seek(tp, at);
      long records = 0;
      long bytes = 0;
      long lastProgress = System.nanoTime();
      while (consumer.position(tp) < until) {
        boolean progressed = false;
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200)).records(tp)) {
          progressed = true;
          if (r.offset() >= until) {
            break;
          }
          each.accept(r);
          records++;
          bytes += Math.max(0, r.serializedKeySize()) + Math.max(0, r.serializedValueSize());
        }
        if (progressed) {
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
          throw new StreamsException("reading " + tp + " again from offset " + from + " to " + until
              + " stalled at " + consumer.position(tp) + " for " + STALL.toSeconds() + " s");
        }
      }
      if (missing > 0) {
        log.warn("{}: offsets {} to {} were deleted by retention before they could be read again",
            tp, from, start - 1);
      }
      return new Read(records, bytes, missing);
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(5));
  }
}
