package io.tailstream.bench;

import io.opentelemetry.sdk.trace.data.SpanData;
import io.tailstream.app.TailstreamApp;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.loadgen.LoadGenerator;
import io.tailstream.loadgen.PipelineSimulator;
import io.tailstream.otlp.Encoding;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decision lateness where it means what an operator means by it: live traffic. The drain rounds
 * read a backlog, whose input clock advances in steps of seconds of input per watermark, so a
 * trace due inside a step is decided at its end and their lateness measures the step. Here
 * collector-like batches (null keys) are produced at a steady rate stamped with the time they
 * are sent, so the input clock follows the wall clock, and lateness is how far past its due time
 * (first span + {@code wait}, root + {@code after-root}, last span + {@code idle}) on that clock a
 * trace was decided.
 */
final class LiveRound {
  private static final Logger log = LoggerFactory.getLogger(LiveRound.class);

  /** What one live round measured. */
  record Result(long traces, double seconds, double latenessP50Ms, double latenessP99Ms) {}

  private LiveRound() {}

  static Result run(String bootstrap, String prefix, EndToEndBenchmark.Options o, Path work, String topic,
      String decision, int tracesPerSecond) throws Exception {
    String appId = prefix + "live";
    TailstreamConfig config = BenchConfigs.tailstream(bootstrap, appId, topic, false, prefix, o,
        work.resolve(appId), decision);
    long sent = 0;
    try (TailstreamApp app = TailstreamApp.create(config)) {
      app.start();
      EndToEndBenchmark.awaitFirstThread(app::anyStreamThreadRunning);
      long started = System.nanoTime();
      try (PipelineSimulator simulator = new PipelineSimulator(o.seed() + 2, 0.02);
          KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
              "bootstrap.servers", bootstrap, "linger.ms", 5, "compression.type", "lz4", "acks", "all"),
              new ByteArraySerializer(), new ByteArraySerializer())) {
        long end = started + o.live().toNanos();
        List<SpanData> batch = new ArrayList<>();
        while (System.nanoTime() < end) {
          long due = (System.nanoTime() - started) * tracesPerSecond / 1_000_000_000L;
          if (sent >= due) {
            Thread.sleep(1);
            continue;
          }
          for (int i = 0; i < BenchInput.TRACES_PER_BATCH; i++) {
            batch.addAll(simulator.next(System.currentTimeMillis() * 1_000_000L, List.of()).spans());
          }
          producer.send(new ProducerRecord<>(topic, null, LoadGenerator.encode(batch, Encoding.OTLP_PROTO)));
          sent += BenchInput.TRACES_PER_BATCH;
          batch.clear();
        }
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      var m = app.metrics();
      while (m.tracesKept() + m.tracesDropped() < sent && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      Result r = new Result(m.tracesKept() + m.tracesDropped(), seconds, m.decisionLatenessPercentile(50),
          m.decisionLatenessPercentile(99));
      log.info("live: {} of {} traces decided in {} s at {} traces/s, lateness p50 {} ms, p99 {} ms",
          r.traces(), sent, seconds, tracesPerSecond, r.latenessP50Ms(), r.latenessP99Ms());
      return r;
    }
  }
}
