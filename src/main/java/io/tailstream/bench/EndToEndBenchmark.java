package io.tailstream.bench;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.StreamsProperties;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.workload.InferenceWorkload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The end-to-end benchmark: pre-loads an input topic on the in-JVM broker with ML inference
 * traces in collector-like batches, then measures how fast (a) a trivial Kafka Streams app that
 * copies the records to another topic and (b) tailstream, through the same code path as
 * {@code run}, consume them, both with exactly-once. The ratio is the cost of tail sampling over
 * the cheapest possible Kafka Streams pass on the same machine and broker.
 */
public final class EndToEndBenchmark {
  /** Figures of one benchmark run. */
  public record Result(long spans, long records, long bytes, double copySeconds,
      double tailstreamIngestSeconds, double tailstreamDecidedSeconds, long kept, long dropped) {
    public double copySpansPerSecond() {
      return spans / copySeconds;
    }

    public double tailstreamSpansPerSecond() {
      return spans / tailstreamIngestSeconds;
    }

    public String report() {
      return String.format("""
          input: %,d spans in %,d records (%,d bytes, otlp_proto, null keys, mixed traces)
          copy app (exactly_once_v2):        %8.1f s  %,10.0f spans/s
          tailstream ingest (all buffered):  %8.1f s  %,10.0f spans/s
          tailstream all traces decided:     %8.1f s  (kept %,d, dropped %,d)
          tailstream / copy throughput:      %8.2f
          """, spans, records, bytes, copySeconds, copySpansPerSecond(), tailstreamIngestSeconds,
          tailstreamSpansPerSecond(), tailstreamDecidedSeconds, kept, dropped,
          tailstreamSpansPerSecond() / copySpansPerSecond());
    }
  }

  private EndToEndBenchmark() {}

  public static Result run(long minSpans, int partitions, Path workDir) throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      broker.createTopics(partitions, "bench-in", "bench-copy", "bench-out", "bench-dlq");
      long[] loaded = load(broker.bootstrapServers(), minSpans);
      double copy = runCopy(broker.bootstrapServers(), workDir.resolve("copy-state"));

      TailstreamConfig config = writeConfig(broker.bootstrapServers(), partitions, workDir);
      try (TailstreamApp app = TailstreamApp.create(config)) {
        app.start();
        app.awaitRunning(Duration.ofSeconds(60));
        long start = System.nanoTime();
        awaitConsumed(broker.bootstrapServers(), "bench-tailstream",
            List.of("bench-in", "bench-tailstream-trace-fragments-repartition"));
        double ingest = (System.nanoTime() - start) / 1e9;
        while (app.metrics().tracesKept() + app.metrics().tracesDropped() < loaded[3]) {
          Thread.sleep(50);
        }
        double decided = (System.nanoTime() - start) / 1e9;
        return new Result(loaded[0], loaded[1], loaded[2], copy, ingest, decided,
            app.metrics().tracesKept(), app.metrics().tracesDropped());
      }
    }
  }

  /** Produces traces until minSpans; returns {spans, records, bytes, traces}. */
  private static long[] load(String bootstrap, long minSpans) {
    InferenceWorkload workload = new InferenceWorkload(1, 0.02, 0.02, 0.02);
    long spans = 0;
    long records = 0;
    long bytes = 0;
    long traces = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        "bootstrap.servers", bootstrap, "linger.ms", 20, "batch.size", 1 << 20,
        "compression.type", "lz4"), new ByteArraySerializer(), new ByteArraySerializer())) {
      while (spans < minSpans) {
        // A collector batch: spans of 10 traces, grouped by service.
        ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
        for (int i = 0; i < 10; i++) {
          InferenceWorkload.Trace t = workload.next();
          for (ResourceSpans rs : t.resources()) {
            request.addResourceSpans(rs);
          }
          spans += t.spanCount();
          traces++;
        }
        byte[] value = request.build().toByteArray();
        producer.send(new ProducerRecord<>("bench-in", null, value));
        records++;
        bytes += value.length;
      }
      producer.flush();
    }
    return new long[] {spans, records, bytes, traces};
  }

  private static double runCopy(String bootstrap, Path stateDir) throws Exception {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream("bench-in", Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .to("bench-copy", Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-copy");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    try (KafkaStreams copy = new KafkaStreams(builder.build(), p)) {
      copy.start();
      long start = awaitRunning(copy::state);
      awaitConsumed(bootstrap, "bench-copy", List.of("bench-in"));
      return (System.nanoTime() - start) / 1e9;
    }
  }

  private static TailstreamConfig writeConfig(String bootstrap, int partitions, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    Path rules = dir.resolve("rules.yaml");
    try (var in = EndToEndBenchmark.class.getResourceAsStream("/io/tailstream/examples/rules.yaml")) {
      Files.copy(in, rules);
    }
    Path config = dir.resolve("tailstream.yaml");
    Files.writeString(config, """
        kafka:
          bootstrap-servers: %s
          application-id: bench-tailstream
          properties: { state.dir: %s }
        topics: { input: bench-in, output: bench-out, dead-letter: bench-dlq, partitions: %d }
        decision: { wait: 5s, after-root: 1s, idle: 1s, check-interval: 200ms }
        admin: { port: -1 }
        auto-boost: { enabled: false }
        rules: rules.yaml
        """.formatted(bootstrap, dir.resolve("tailstream-state"), partitions));
    TailstreamConfig loaded = ConfigLoader.load(config, Map.of());
    StreamsProperties.streams(loaded); // validate
    return loaded;
  }

  /** Timing starts when processing can start: both apps pay the same start-up otherwise. */
  private static long awaitRunning(java.util.function.Supplier<KafkaStreams.State> state)
      throws InterruptedException {
    while (state.get() != KafkaStreams.State.RUNNING) {
      Thread.sleep(10);
    }
    return System.nanoTime();
  }

  /** Waits until the group has committed the end offset of every partition of the topics. */
  private static void awaitConsumed(String bootstrap, String group, List<String> topics)
      throws InterruptedException {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      while (true) {
        try {
          Map<TopicPartition, OffsetAndMetadata> committed =
              admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
          Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
          for (String topic : topics) {
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
          }
          Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
              admin.listOffsets(latest).all().get();
          List<TopicPartition> behind = new ArrayList<>();
          ends.forEach((tp, end) -> {
            OffsetAndMetadata c = committed.get(tp);
            if (end.offset() > 0 && (c == null || c.offset() < end.offset())) {
              behind.add(tp);
            }
          });
          if (behind.isEmpty() && !committed.isEmpty()) {
            return;
          }
        } catch (ExecutionException notYet) {
          // group or repartition topic not created yet
        }
        Thread.sleep(Duration.ofMillis(100).toMillis());
      }
    }
  }
}
