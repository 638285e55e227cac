package io.tailstream.config;

import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;

/** Turns a {@link TailstreamConfig} into the properties of Kafka Streams and the admin client. */
public final class StreamsProperties {
  /**
   * Window-store changelogs keep records for the store's retention plus this margin. Streams'
   * default is a whole day, which for the span buffer would keep a day of all input on the broker.
   */
  static final long CHANGELOG_EXTRA_RETENTION_MS = 10 * 60 * 1000L;

  /** Largest record on internal topics: 16 MiB. */
  static final int INTERNAL_MAX_RECORD_BYTES = 16 << 20;
  static final int PRODUCER_BATCH_BYTES = 256 << 10;

  private StreamsProperties() {}

  /** Streams settings: exactly-once by default; {@code kafka.properties} override anything. */
  public static Properties streams(TailstreamConfig config) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.kafka().applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    // Opt in now to what Kafka 5.0 makes the default (and silence the warning about it).
    p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.toString(config.topics().replicationFactor()));
    p.put(StreamsConfig.WINDOW_STORE_CHANGE_LOG_ADDITIONAL_RETENTION_MS_CONFIG,
        Long.toString(CHANGELOG_EXTRA_RETENTION_MS));
    // A fragment is an input record's spans plus a small header: internal topics (repartition,
    // span changelog) must take records a little larger than the input's largest.
    p.put(StreamsConfig.topicPrefix("max.message.bytes"), Integer.toString(INTERNAL_MAX_RECORD_BYTES));
    p.put(StreamsConfig.producerPrefix("max.request.size"), Integer.toString(INTERNAL_MAX_RECORD_BYTES));
    // Every span goes to the broker at least once more (the trace-spans changelog, and the
    // repartition topic): LZ4 batches cut process CPU per span by a fifth in `tailstream bench`.
    p.put(StreamsConfig.producerPrefix("compression.type"), "lz4");
    // Kafka's 16 KiB batches held two or three by-trace records each: every batch costs the
    // stream thread a new LZ4 frame (64 KiB buffers, header checksum) and the broker an append.
    p.put(StreamsConfig.producerPrefix("batch.size"), Integer.toString(PRODUCER_BATCH_BYTES));
    p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, OversizedRecordHandler.class.getName());
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName());
    p.put(BoundedRocksDbMemory.CACHE_BYTES, Long.toString(config.rocksDbCacheBytes()));
    p.put(BoundedRocksDbMemory.WRITE_BUFFER_BYTES, Long.toString(config.rocksDbWriteBufferBytes()));
    if (config.kafka().groupInstanceId() != null) {
      // Static membership (Streams derives one id per stream thread from it).
      p.put(StreamsConfig.consumerPrefix("group.instance.id"), config.kafka().groupInstanceId());
    }
    p.putAll(config.kafka().properties());
    return p;
  }

  /** Producer settings for tailstream's own side topics (rates, control): connection and security. */
  public static Properties producer(TailstreamConfig config) {
    Properties p = new Properties();
    config.kafka().properties().forEach((k, v) -> {
      if (org.apache.kafka.clients.producer.ProducerConfig.configNames().contains(k)) {
        p.put(k, v);
      }
    });
    p.put("bootstrap.servers", config.kafka().bootstrapServers());
    p.put("acks", "all");
    p.put("linger.ms", "20");
    return p;
  }

  /** Admin client settings for topic checks: the same connection and security settings. */
  /**
   * A plain consumer that reads committed records only and joins no group: for reading a
   * buffer's log again, with the same connection and security settings as everything else.
   */
  public static Properties logReader(TailstreamConfig config) {
    Properties p = new Properties();
    config.kafka().properties().forEach((k, v) -> {
      if (org.apache.kafka.clients.consumer.ConsumerConfig.configNames().contains(k)) {
        p.put(k, v);
      }
    });
    p.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
    p.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    p.put(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
    p.put(org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(org.apache.kafka.clients.consumer.ConsumerConfig.CLIENT_ID_CONFIG,
        config.kafka().applicationId() + "-log-reader");
    return p;
  }

  public static Properties admin(TailstreamConfig config) {
    Properties p = new Properties();
    config.kafka().properties().forEach((k, v) -> {
      if (AdminClientConfig.configNames().contains(k)) {
        p.put(k, v);
      }
    });
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrapServers());
    return p;
  }
}
