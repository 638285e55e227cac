package io.tailstream.loadgen;

import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.tailstream.otlp.Encoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends simulated ML inference traffic to a Kafka topic the way an OpenTelemetry Collector's kafka
 * exporter does: OTLP requests (the SDK's own marshaling) in {@code otlp_proto} or
 * {@code otlp_json}, several traces per record with null keys, or one trace per record keyed by its
 * hex trace id ({@code partition_traces_by_id}). Paced to a traces-per-second rate; incidents
 * switch on and off on their timeline.
 */
public final class LoadGenerator {
  /** What to send. */
  public record Settings(Properties producer, String topic, double tracesPerSecond,
      Duration duration, List<Incident> incidents, boolean keyedByTraceId, Encoding encoding,
      long seed, int tracesPerRecord, double errorRate) {
    public Settings {
      incidents = List.copyOf(incidents);
    }
  }

  /** Sees every generated trace (for the demo's accounting). */
  public interface Listener {
    void sent(PipelineSimulator.Trace trace, Duration elapsed);
  }

  /** What was sent. */
  public record Result(long traces, long spans, long records, long bytes,
      Map<Incident.Kind, Long> incidentTraces, Duration elapsed) {}

  private final Settings settings;

  public LoadGenerator(Settings settings) {
    this.settings = settings;
  }

  /** Sends until the duration is over or {@code stop} says so. */
  public Result run(Listener listener, BooleanSupplier stop) {
    Properties p = new Properties();
    p.putAll(settings.producer());
    p.putIfAbsent("linger.ms", "10");
    p.putIfAbsent("compression.type", "lz4");
    long traces = 0;
    long spans = 0;
    long records = 0;
    long bytes = 0;
    Map<Incident.Kind, Long> incidents = new EnumMap<>(Incident.Kind.class);
    long start = System.nanoTime();
    try (PipelineSimulator simulator = new PipelineSimulator(settings.seed(), settings.errorRate());
        KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<SpanData> batch = new ArrayList<>();
      int inBatch = 0;
      while (!stop.getAsBoolean()) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        if (elapsed.compareTo(settings.duration()) >= 0) {
          break;
        }
        long due = (long) (elapsed.toNanos() / 1e9 * settings.tracesPerSecond());
        if (traces >= due) {
          sleep();
          continue;
        }
        List<Incident> active = settings.incidents().stream().filter(i -> i.activeAt(elapsed)).toList();
        while (traces < due) {
          PipelineSimulator.Trace t = simulator.next(System.currentTimeMillis() * 1_000_000L, active);
          traces++;
          spans += t.spans().size();
          if (t.incident() != null) {
            incidents.merge(t.incident(), 1L, Long::sum);
          }
          listener.sent(t, elapsed);
          if (settings.keyedByTraceId()) {
            byte[] value = encode(t.spans());
            producer.send(new ProducerRecord<>(settings.topic(),
                t.traceId().getBytes(StandardCharsets.UTF_8), value));
            records++;
            bytes += value.length;
            continue;
          }
          batch.addAll(t.spans());
          if (++inBatch >= settings.tracesPerRecord()) {
            byte[] value = encode(batch);
            producer.send(new ProducerRecord<>(settings.topic(), null, value));
            records++;
            bytes += value.length;
            batch.clear();
            inBatch = 0;
          }
        }
      }
      if (!batch.isEmpty()) {
        byte[] value = encode(batch);
        producer.send(new ProducerRecord<>(settings.topic(), null, value));
        records++;
        bytes += value.length;
      }
      producer.flush();
    }
    return new Result(traces, spans, records, bytes, incidents, Duration.ofNanos(System.nanoTime() - start));
  }

  /** An ExportTraceServiceRequest of the spans, with the SDK's OTLP marshaler. */
  public byte[] encode(List<SpanData> spans) {
    return encode(spans, settings.encoding());
  }

  /** An ExportTraceServiceRequest of the spans in the given encoding. */
  public static byte[] encode(List<SpanData> spans, Encoding encoding) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512 * spans.size());
    try {
      TraceRequestMarshaler marshaler = TraceRequestMarshaler.create(spans);
      if (encoding == Encoding.OTLP_JSON) {
        marshaler.writeJsonTo(out);
      } else {
        marshaler.writeBinaryTo(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void sleep() {
    try {
      Thread.sleep(2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
