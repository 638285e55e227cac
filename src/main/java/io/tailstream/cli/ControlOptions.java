package io.tailstream.cli;

import io.tailstream.adapt.BoostMessages;
import io.tailstream.adapt.BoostTable;
import io.tailstream.config.AdaptSettings;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.StreamsProperties;
import io.tailstream.config.TailstreamConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Option;

/** How {@code boost}, {@code boosts} and {@code cancel} reach the control topic. */
final class ControlOptions {
  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "A tailstream config: its brokers, security properties, control topic and bounds.")
  Path config;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka brokers (without --config).")
  String bootstrapServers;

  @Option(names = "--control-topic", paramLabel = "TOPIC", description = "Default: sampling_control, or the config's.")
  String topic;

  @Option(names = "--property", paramLabel = "KEY=VALUE", description = "A Kafka client property; repeatable.")
  Map<String, String> properties = new LinkedHashMap<>();

  private TailstreamConfig loaded;

  private TailstreamConfig loaded() {
    if (loaded == null && config != null) {
      loaded = ConfigLoader.load(config);
    }
    return loaded;
  }

  String topic() {
    if (topic != null) {
      return topic;
    }
    return loaded() != null ? loaded().topics().control() : "sampling_control";
  }

  BoostMessages.Limits limits() {
    AdaptSettings a = loaded() != null ? loaded().adapt() : AdaptSettings.defaults();
    return new BoostMessages.Limits(a.maxFactor(), a.maxTtl(), a.maxConcurrent());
  }

  Properties clientProperties() {
    Properties p = new Properties();
    if (loaded() != null) {
      p.putAll(StreamsProperties.admin(loaded()));
    } else if (bootstrapServers == null) {
      throw new IllegalArgumentException("give --config FILE or --bootstrap-servers HOST:PORT");
    }
    p.putAll(properties);
    if (bootstrapServers != null) {
      p.put("bootstrap.servers", bootstrapServers);
    }
    return p;
  }

  /** Writes one control record and waits for the broker's acknowledgement. */
  void send(String key, byte[] value) throws Exception {
    Properties p = clientProperties();
    p.put("acks", "all");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic(), key, value)).get();
    }
  }

  /** Replays the whole control topic into a table, as every instance does. */
  BoostTable read(long nowMs) {
    BoostTable table = new BoostTable(Integer.MAX_VALUE);
    Properties p = clientProperties();
    p.put("enable.auto.commit", "false");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic()).stream()
          .map(i -> new TopicPartition(topic(), i.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          try {
            BoostMessages.Command c = BoostMessages.parse(r.key(), r.value(), r.timestamp(), nowMs, limits());
            if (c instanceof BoostMessages.Start s && !s.boost().expired(nowMs)) {
              table.put(s.boost(), nowMs);
            } else {
              table.remove(c.id(), nowMs);
            }
          } catch (IllegalArgumentException refused) {
            // instances refuse it too
          }
        }
      }
    }
    return table;
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
