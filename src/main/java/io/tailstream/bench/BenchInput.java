package io.tailstream.bench;

import io.opentelemetry.sdk.trace.data.SpanData;
import io.tailstream.loadgen.LoadGenerator;
import io.tailstream.loadgen.PipelineSimulator;
import io.tailstream.otlp.Encoding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes one seeded ML inference workload (the demo's OpenTelemetry SDK simulator, no incidents)
 * into two topics at once, so every scenario reads the same spans:
 * <ul>
 *   <li>{@code batched}: collector-like batches of ten traces, null keys (needs the repartition);</li>
 *   <li>{@code keyed}: one record per trace keyed by its hex trace id, as the collector's Kafka
 *       exporter writes with {@code partition_traces_by_id: true}.</li>
 * </ul>
 */
final class BenchInput {
  static final int TRACES_PER_BATCH = 10;

  /** What one topic holds. */
  record Loaded(long spans, long traces, long records, long bytes) {
    double bytesPerSpan() {
      return spans == 0 ? 0 : (double) bytes / spans;
    }
  }

  /** Both topics' contents (same spans and traces, different framing). */
  record Topics(Loaded batched, Loaded keyed) {}

  private BenchInput() {}

  static Topics load(String bootstrap, String batchedTopic, String keyedTopic, long minSpans, long seed) {
    long spans = 0;
    long traces = 0;
    long batchedRecords = 0;
    long batchedBytes = 0;
    long keyedBytes = 0;
    long startNanos = 1_790_000_000_000_000_000L; // a fixed clock: the same bytes on every run
    try (PipelineSimulator simulator = new PipelineSimulator(seed, 0.02);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
            "bootstrap.servers", bootstrap, "linger.ms", 20, "batch.size", 1 << 20,
            "compression.type", "lz4", "acks", "all",
            // Every run compares figures over this input: a batch expired on a starved machine
            // would make two runs differ. Give sends ten minutes, and fail loudly past that.
            "delivery.timeout.ms", 600_000),
            new ByteArraySerializer(), new ByteArraySerializer())) {
      SendFailures failures = new SendFailures();
      List<SpanData> batch = new ArrayList<>();
      int inBatch = 0;
      while (spans < minSpans) {
        PipelineSimulator.Trace t = simulator.next(startNanos + traces * 1_000_000L, List.of());
        traces++;
        spans += t.spans().size();
        byte[] one = LoadGenerator.encode(t.spans(), Encoding.OTLP_PROTO);
        producer.send(new ProducerRecord<>(keyedTopic, t.traceId().getBytes(StandardCharsets.UTF_8), one), failures);
        keyedBytes += one.length;
        batch.addAll(t.spans());
        if (++inBatch == TRACES_PER_BATCH || spans >= minSpans) {
          byte[] value = LoadGenerator.encode(batch, Encoding.OTLP_PROTO);
          producer.send(new ProducerRecord<>(batchedTopic, null, value), failures);
          batchedRecords++;
          batchedBytes += value.length;
          batch.clear();
          inBatch = 0;
        }
      }
      producer.flush();
      failures.throwIfAny();
    }
    return new Topics(new Loaded(spans, traces, batchedRecords, batchedBytes),
        new Loaded(spans, traces, traces, keyedBytes));
  }

  /** Counts the sends that failed (refused, or timed out in the client), keeping the first cause. */
  private static final class SendFailures implements org.apache.kafka.clients.producer.Callback {
    private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Exception first;

    @Override
    public void onCompletion(org.apache.kafka.clients.producer.RecordMetadata metadata, Exception e) {
      if (e != null && count.getAndIncrement() == 0) {
        first = e;
      }
    }

    void throwIfAny() {
      if (count.get() > 0) {
        throw new IllegalStateException("loading the bench input failed: " + count.get()
            + " sends failed; the first: " + first, first);
      }
    }
  }
}
