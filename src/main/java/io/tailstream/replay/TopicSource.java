package io.tailstream.replay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.Queue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a topic from a start point up to the end offsets it had when reading began, without
 * joining a consumer group (nothing is committed: replay changes nothing on the cluster).
 */
public final class TopicSource implements RecordSource {
  /** Where to start in each partition. */
  public sealed interface Start {
    record Beginning() implements Start {}

    record Since(Duration ago) implements Start {}

    record Offset(long offset) implements Start {}
  }

  private final Properties consumerProps;
  private final String topic;
  private final Start start;
  private final long limit;

  public TopicSource(Properties clientProps, String topic, Start start, long limit) {
    this.consumerProps = new Properties();
    this.consumerProps.putAll(clientProps);
    this.consumerProps.put("enable.auto.commit", "false");
    this.consumerProps.put("isolation.level", "read_committed");
    this.topic = topic;
    this.start = start;
    this.limit = limit;
  }

  @Override
  public Iterator<byte[]> iterator() {
    KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps,
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
    if (partitions.isEmpty()) {
      consumer.close();
      throw new IllegalStateException("topic " + topic + " does not exist");
    }
    consumer.assign(partitions);
    Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
    seek(consumer, partitions);
    Map<TopicPartition, Long> remaining = new HashMap<>();
    for (TopicPartition tp : partitions) {
      if (consumer.position(tp) < ends.get(tp)) {
        remaining.put(tp, ends.get(tp));
      }
    }
    return new Iterator<>() {
      private final Queue<byte[]> buffer = new ArrayDeque<>();
      private long delivered;
      private boolean closed;

      @Override
      public boolean hasNext() {
        if (closed) {
          return false;
        }
        while (buffer.isEmpty() && !remaining.isEmpty() && delivered < limit) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            Long end = remaining.get(tp);
            if (end == null || r.offset() >= end) {
              continue;
            }
            if (r.offset() + 1 >= end) {
              remaining.remove(tp);
            }
            if (r.value() != null) {
              buffer.add(r.value());
            }
          }
          remaining.keySet().removeIf(tp -> consumer.position(tp) >= remaining.get(tp));
        }
        if (buffer.isEmpty() || delivered >= limit) {
          consumer.close();
          closed = true;
          return false;
        }
        return true;
      }

      @Override
      public byte[] next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        delivered++;
        return buffer.poll();
      }
    };
  }

  private void seek(KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
    if (start instanceof Start.Offset o) {
      partitions.forEach(tp -> consumer.seek(tp, o.offset()));
    } else if (start instanceof Start.Since s) {
      long ts = Instant.now().minus(s.ago()).toEpochMilli();
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(tp -> query.put(tp, ts));
      Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      partitions.forEach(tp -> {
        OffsetAndTimestamp o = found.get(tp);
        consumer.seek(tp, o == null ? ends.get(tp) : o.offset());
      });
    } else {
      consumer.seekToBeginning(partitions);
    }
  }
}
