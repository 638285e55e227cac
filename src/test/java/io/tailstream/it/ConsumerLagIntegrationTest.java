package io.tailstream.it;

import static io.tailstream.buffer.InputLag.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.app.ConsumerLag;
import io.tailstream.app.TailstreamApp;
import io.tailstream.buffer.InputLag;
import io.tailstream.config.ConfigLoader;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ConsumerLag} against a real broker and Kafka Streams: unknown before anything was
 * fetched, above zero over a backlog, zero only once all of it is processed (the consumer's own
 * records-lag reads 0 while most of it still waits in the task's queue: both figures are logged),
 * still zero after seconds of silence (the broker leaves idle partitions out of incremental fetch
 * responses), and unknown for a partition once another instance took it and once the client
 * closed. And a whole tailstream instance wires it: its idle input partitions read 0.
 */
class ConsumerLagIntegrationTest {
  private static final Logger log = LoggerFactory.getLogger(ConsumerLagIntegrationTest.class);
  /** A dot on purpose: Kafka 4.4 tags this topic's metrics both as it is and as lag_it-in. */
  private static final String TOPIC = "lag.it-in";
  private static final int PER_PARTITION = 800;
  private static final Duration STALE_AFTER = Duration.ofSeconds(2);

  @TempDir
  Path dir;

  /** Records processed per partition, and how long each takes while the backlog is worked off. */
  private final AtomicIntegerArray processed = new AtomicIntegerArray(2);
  private final AtomicLong delayMs = new AtomicLong(3);

  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void aRunningInstanceKnowsItsIdleInputPartitionsAreCaughtUp() throws Exception {
    Path config = KafkaTestSupport.writeConfig(Files.createDirectories(dir.resolve("app")),
        broker.bootstrapServers(), "lag-app", "{ wait: 5s, after-root: 2s, idle: 2s, check-interval: 100ms }", "");
    InputLag lag;
    try (TailstreamApp app = TailstreamApp.create(ConfigLoader.load(config, Map.of()))) {
      lag = app.inputLag();
      assertThat(lag.lag("lag-app-in", 0)).as("before start").isEqualTo(UNKNOWN);
      app.start();
      // Nothing was ever written: no poll, no commit, and the consumer at the end.
      awaitUntil(Duration.ofSeconds(25), () -> IntStream.range(0, 3).allMatch(p -> lag.lag("lag-app-in", p) == 0));
    }
    assertThat(IntStream.range(0, 3).map(p -> (int) lag.lag("lag-app-in", p))).as("closed")
        .containsOnly((int) UNKNOWN);
  }

  @Test
  void lagIsUnknownThenPositiveThenZeroThenUnknownWhenThePartitionGoesAway() throws Exception {
    broker.createTopics(2, TOPIC);
    produceBacklog(broker.bootstrapServers());

    ConsumerLag lag = new ConsumerLag(STALE_AFTER);
    KafkaStreams first = new KafkaStreams(slowReader(), props(broker, "first"));
    lag.bind(first);
    lag.start();
    Thread.sleep(1_000); // two refreshes at least
    assertThat(lags(lag)).as("nothing fetched yet").containsExactly(UNKNOWN, UNKNOWN);

    first.start();
    long[] maxSeen = new long[2];
    boolean[] heldBack = new boolean[2];
    int[] unprocessedAtFirstZero = {-1, -1};
    int[] unprocessedAtFirstRecordsLagZero = {-1, -1};
    awaitUntil(Duration.ofSeconds(25), () -> {
      Map<Integer, Long> recordsLag = recordsLag(first);
      for (int p = 0; p < 2; p++) {
        long l = lag.lag(TOPIC, p);
        maxSeen[p] = Math.max(maxSeen[p], l);
        int unprocessed = PER_PARTITION - processed.get(p);
        if (l != 0 && unprocessed > 0) {
          heldBack[p] = true; // positive, or unknown: a busy consumer whose partitions are paused
        }
        if (l == 0 && unprocessedAtFirstZero[p] < 0) {
          unprocessedAtFirstZero[p] = unprocessed;
        }
        if (recordsLag.getOrDefault(p, -1L) == 0 && unprocessedAtFirstRecordsLagZero[p] < 0) {
          unprocessedAtFirstRecordsLagZero[p] = unprocessed;
        }
      }
      return processed.get(0) + processed.get(1) == 2 * PER_PARTITION
          && lag.lag(TOPIC, 0) == 0 && lag.lag(TOPIC, 1) == 0;
    });
    log.info("backlog of {} per partition: largest lag seen {}; records not processed yet when "
        + "the consumer's records-lag first read 0: {}, when ConsumerLag first read 0: {}",
        PER_PARTITION, maxSeen, unprocessedAtFirstRecordsLagZero, unprocessedAtFirstZero);
    assertThat(heldBack).as("a backlog shows as lag (or as unknown while the consumer, its "
        + "partitions paused behind full buffers, does not fetch)").containsExactly(true, true);
    assertThat(Math.max(maxSeen[0], maxSeen[1])).as("a backlog shows as lag").isPositive();
    assertThat(unprocessedAtFirstZero).as("caught up only once all of it was processed").containsExactly(0, 0);
    assertThat(dottedTopicTags(first)).as("4.4 tags the name as it is, plus a deprecated copy")
        .contains(TOPIC, "lag_it-in");

    Thread.sleep(2 * STALE_AFTER.toMillis());
    assertThat(lags(lag)).as("quiet but caught up: still known, still 0").containsExactly(0L, 0L);

    ConsumerLag secondLag = new ConsumerLag(STALE_AFTER);
    try (KafkaStreams second = new KafkaStreams(slowReader(), props(broker, "second"))) {
      secondLag.bind(second);
      secondLag.start();
      second.start();
      awaitUntil(Duration.ofSeconds(25), () -> {
        long[] a = lags(lag);
        long[] b = lags(secondLag);
        // Each instance now knows one partition, the other one's.
        return (a[0] == 0 && a[1] == UNKNOWN && b[0] == UNKNOWN && b[1] == 0)
            || (a[0] == UNKNOWN && a[1] == 0 && b[0] == 0 && b[1] == UNKNOWN);
      });
      second.close(Duration.ofSeconds(10));
      awaitUntil(Duration.ofSeconds(3), () -> lags(secondLag)[0] == UNKNOWN && lags(secondLag)[1] == UNKNOWN);
    } finally {
      secondLag.close();
    }

    first.close(Duration.ofSeconds(10));
    awaitUntil(Duration.ofSeconds(3), () -> lags(lag)[0] == UNKNOWN && lags(lag)[1] == UNKNOWN);
    lag.close();
  }

  private void produceBacklog(String bootstrap) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("batch.size", "2048"); // small batches: each fetch then returns a part of the backlog
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < PER_PARTITION; i++) {
        for (int partition = 0; partition < 2; partition++) {
          producer.send(new ProducerRecord<>(TOPIC, partition, null, new byte[400]));
        }
      }
      producer.flush();
    }
  }

  /** Reads the topic, sleeping per record, so that a backlog takes seconds to work off. */
  private Topology slowReader() {
    Topology t = new Topology();
    t.addSource("in", TOPIC);
    t.addProcessor("slow", () -> new Processor<byte[], byte[], Void, Void>() {
      private ProcessorContext<Void, Void> context;

      @Override
      public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
      }

      @Override
      public void process(Record<byte[], byte[]> record) {
        processed.incrementAndGet(context.recordMetadata().orElseThrow().partition());
        try {
          Thread.sleep(delayMs.get());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }, "in");
    return t;
  }

  private Properties props(EmbeddedKafkaBroker broker, String name) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "lag-it");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve(name).toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2); // read_committed: LSO
    p.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    p.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.ByteArraySerde.class.getName());
    // Streams' own fetch and queue sizes: the consumer fetches the whole backlog ahead of processing.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1000");
    return p;
  }

  private static long[] lags(ConsumerLag lag) {
    return new long[] {lag.lag(TOPIC, 0), lag.lag(TOPIC, 1)};
  }

  /** The main consumer's own records-lag per partition, as the metric has it. */
  private static Map<Integer, Long> recordsLag(KafkaStreams streams) {
    Map<Integer, Long> lags = new HashMap<>();
    streams.metrics().forEach((name, metric) -> {
      if (name.group().equals("consumer-fetch-manager-metrics") && name.name().equals("records-lag")
          && TOPIC.equals(name.tags().get("topic")) && name.tags().get("client-id").endsWith("-consumer")
          && !name.tags().get("client-id").endsWith("-restore-consumer")) {
        lags.put(Integer.parseInt(name.tags().get("partition")), ((Number) metric.metricValue()).longValue());
      }
    });
    return lags;
  }

  private static List<String> dottedTopicTags(KafkaStreams streams) {
    return streams.metrics().keySet().stream()
        .filter(m -> m.group().equals("consumer-fetch-manager-metrics") && m.name().equals("records-lag"))
        .map(MetricName::tags).map(tags -> tags.get("topic")).distinct().toList();
  }

  private static void awaitUntil(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within " + timeout).isLessThan(end);
      Thread.sleep(50);
    }
  }
}
