package io.tailstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.tailstream.decide.Decider;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.RulesParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-memory sampler on the in-JVM broker: its clock, its output, and what it loses. */
class InMemorySamplerTest {
  private static final Decider ERRORS = Decider.compile(RulesParser.parse("""
      default: drop
      rules:
        - { name: errors, keep: { error: true } }
      """, "errors.yaml"));
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

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
  void aTraceSpreadOverABacklogIsDecidedWholeOnItsRecordsTime() throws Exception {
    createTopics("backlog-in", "backlog-out");
    long t0 = System.currentTimeMillis() - Duration.ofMinutes(10).toMillis();
    byte[] spread = id(1);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    records.add(record("backlog-in", t0, request(span(spread, 1, 0, true))));
    for (int i = 0; i < 3_000; i++) { // three polls' worth between the trace's two records
      records.add(record("backlog-in", t0, request(span(id(1_000 + i), 1, 0, false))));
    }
    records.add(record("backlog-in", t0, request(span(spread, 2, 1, false))));
    produce(records);

    // 1 ms: on arrival time the trace would be due long before its second record is read; on
    // the records' time it is not due until the input is caught up and the clock follows the wall.
    InMemorySampler sampler = InMemorySampler.start(settings("backlog", "backlog-in", "backlog-out",
        Duration.ofMillis(1)), ERRORS);
    try {
      await(() -> sampler.decided() >= 3_001);
    } finally {
      sampler.close();
    }
    assertThat(sampler.counts().kept()).isEqualTo(1);
    assertThat(sampler.counts().keptByRule()).containsExactlyEntriesOf(Map.of("errors", 1L));
    List<ConsumerRecord<byte[], byte[]>> out = consumeAll("backlog-out");
    assertThat(out).hasSize(1);
    assertThat(new String(out.get(0).key())).isEqualTo(TraceIds.hex(spread));
    assertThat(spanIds(out.get(0).value())).containsExactly(1, 2);
  }

  @Test
  void itsOffsetsCoverBufferedTracesSoAStopLosesThem() throws Exception {
    createTopics("lost-in", "lost-out");
    long now = System.currentTimeMillis();
    List<ProducerRecord<byte[], byte[]>> buffered = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      buffered.add(record("lost-in", now, request(span(id(10 + i), 1, 0, true))));
    }
    produce(buffered);
    InMemorySampler first = InMemorySampler.start(settings("lost", "lost-in", "lost-out",
        Duration.ofHours(1)), ERRORS);
    try {
      Offsets.awaitConsumed(broker.bootstrapServers(), "lost", List.of("lost-in"));
    } finally {
      first.close(); // the five error traces are due in an hour: committed as read, never decided
    }
    assertThat(first.decided()).isZero();

    InMemorySampler second = InMemorySampler.start(settings("lost", "lost-in", "lost-out",
        Duration.ZERO), ERRORS);
    try {
      await(second::assigned);
      produce(List.of(record("lost-in", System.currentTimeMillis(), request(span(id(99), 1, 0, true)))));
      await(() -> second.decided() == 1);
    } finally {
      second.close();
    }
    assertThat(second.counts().kept()).isEqualTo(1);
    List<ConsumerRecord<byte[], byte[]>> out = consumeAll("lost-out");
    assertThat(out).extracting(r -> new String(r.key())).containsExactly(TraceIds.hex(id(99)));
  }

  @Test
  void aSampledKeepGoesOutWithTheRulesThreshold() throws Exception {
    createTopics("sampled-in", "sampled-out");
    Decider everything = Decider.compile(RulesParser.parse("""
        default: drop
        rules:
          - { name: all, sample: 100% }
        """, "all.yaml"));
    produce(List.of(record("sampled-in", System.currentTimeMillis(), request(span(id(7), 1, 0, false)))));
    InMemorySampler sampler = InMemorySampler.start(settings("sampled", "sampled-in", "sampled-out",
        Duration.ZERO), everything);
    try {
      await(() -> sampler.decided() == 1);
    } finally {
      sampler.close();
    }
    List<ConsumerRecord<byte[], byte[]>> out = consumeAll("sampled-out");
    assertThat(out).hasSize(1);
    Span span = ExportTraceServiceRequest.parseFrom(out.get(0).value())
        .getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(OtelTraceState.threshold(span.getTraceState())).isZero();
  }

  private static InMemorySampler.Settings settings(String group, String in, String out, Duration wait) {
    return new InMemorySampler.Settings(broker.bootstrapServers(), group, in, out, wait,
        Duration.ofMillis(100), "lz4", 1 << 20);
  }

  private static byte[] id(int n) {
    byte[] id = new byte[16];
    id[0] = 1;
    id[12] = (byte) (n >>> 24);
    id[13] = (byte) (n >>> 16);
    id[14] = (byte) (n >>> 8);
    id[15] = (byte) n;
    return id;
  }

  private static Span span(byte[] traceId, int spanId, int parent, boolean error) {
    Span.Builder b = Span.newBuilder().setTraceId(ByteString.copyFrom(traceId))
        .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) spanId}))
        .setName("op").setStartTimeUnixNano(1_000_000_000L).setEndTimeUnixNano(1_050_000_000L)
        .setStatus(Status.newBuilder().setCode(error
            ? Status.StatusCode.STATUS_CODE_ERROR : Status.StatusCode.STATUS_CODE_OK));
    if (parent != 0) {
      b.setParentSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) parent}));
    }
    return b.build();
  }

  private static byte[] request(Span span) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.getDefaultInstance())
            .addScopeSpans(ScopeSpans.newBuilder().addSpans(span)))
        .build().toByteArray();
  }

  private static List<Integer> spanIds(byte[] request) throws Exception {
    List<Integer> ids = new ArrayList<>();
    for (ResourceSpans rs : ExportTraceServiceRequest.parseFrom(request).getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        ss.getSpansList().forEach(s -> ids.add((int) s.getSpanId().byteAt(7)));
      }
    }
    return ids;
  }

  private static ProducerRecord<byte[], byte[]> record(String topic, long timestamp, byte[] value) {
    return new ProducerRecord<>(topic, null, timestamp, null, value);
  }

  private static void createTopics(String... names) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      List<NewTopic> topics = new ArrayList<>();
      for (String name : names) {
        topics.add(new NewTopic(name, 1, (short) 1));
      }
      admin.createTopics(topics).all().get();
    }
  }

  private static void produce(List<ProducerRecord<byte[], byte[]>> records) {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        "bootstrap.servers", broker.bootstrapServers(), "linger.ms", 5),
        new ByteArraySerializer(), new ByteArraySerializer())) {
      records.forEach(producer::send);
    }
  }

  /** Everything committed to {@code topic} (one partition), read to its end offset. */
  private static List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic) {
    TopicPartition tp = new TopicPartition(topic, 0);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
        "bootstrap.servers", broker.bootstrapServers(), "isolation.level", "read_committed"),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within %s", TIMEOUT).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
