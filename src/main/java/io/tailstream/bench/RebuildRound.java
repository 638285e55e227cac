package io.tailstream.bench;

import io.tailstream.app.TailstreamApp;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.config.TopicSettings;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.metrics.BufferLogMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a new pod pays to rebuild a buffer from its log. A first instance reads the whole input
 * with every decision an hour away, so every trace stays buffered, and stops cleanly (it
 * commits); its state directory is deleted; a second instance with the same application id and
 * an empty state directory takes the tasks over and, before it processes anything, reads the log
 * again from the oldest buffered trace: here the whole input (the keyed input topic, or the
 * by-trace topic with null keys). Its own metrics say how many records and bytes it read again
 * and how long that took.
 */
final class RebuildRound {
  private static final Logger log = LoggerFactory.getLogger(RebuildRound.class);
  private static final String NEVER_DUE = "{ wait: 1h, after-root: 1h, idle: 1h, check-interval: 200ms }";
  private static final Duration TIMEOUT = Duration.ofSeconds(180);

  /**
   * @param bufferedTraces traces buffered when the first instance stopped
   * @param bufferedBytes their OTLP bytes
   * @param rebuiltTraces traces buffered once the second instance had rebuilt every task
   * @param rebuilds tasks the second instance rebuilt from the log
   * @param records records read again
   * @param bytes their bytes as stored in the log (keys and values)
   * @param rereadSeconds the re-reads' own time (reading and rebuffering), summed over the tasks
   * @param recoverySeconds from the second instance's start until every task was rebuilt: start-up,
   *     group join, changelog restore of the small stores and the re-reads
   */
  record Result(String name, long bufferedTraces, long bufferedBytes, long rebuiltTraces, long rebuilds,
      long records, long bytes, double rereadSeconds, double recoverySeconds) {
    /** Re-read seconds per GB of log read again; NaN when nothing was read. */
    double secondsPerGigabyte() {
      return bytes == 0 ? Double.NaN : rereadSeconds / (bytes / 1e9);
    }
  }

  private RebuildRound() {}

  static Result run(String bootstrap, String prefix, EndToEndBenchmark.Options o, Path work, String in,
      boolean keyed) throws Exception {
    String name = keyed ? "rebuild-keyed" : "rebuild-repartition";
    String appId = prefix + name;
    List<String> consumed = keyed ? List.of(in) : List.of(in, TopicSettings.defaultByTrace(appId));
    Path first = work.resolve(appId + "-a");
    long traces;
    long bytes;
    try (TailstreamApp app = TailstreamApp.create(config(bootstrap, appId, in, keyed, prefix, o, first))) {
      app.start();
      EndToEndBenchmark.awaitFirstThread(app::anyStreamThreadRunning);
      Offsets.awaitConsumed(bootstrap, appId, consumed);
      traces = app.metrics().bufferedTraces();
      bytes = app.metrics().bufferedBytes();
      app.close(); // commits what was read, the buffer positions with it
    }
    EmbeddedKafkaBroker.deleteRecursively(first); // a new pod: nothing local survives
    Path second = work.resolve(appId + "-b");
    try (TailstreamApp app = TailstreamApp.create(config(bootstrap, appId, in, keyed, prefix, o, second))) {
      long started = System.nanoTime();
      app.start();
      BufferLogMetrics rebuilt = app.metrics().bufferLog();
      long deadline = started + TIMEOUT.toNanos();
      while (rebuilt.rebuilds() < o.partitions() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      double recovery = (System.nanoTime() - started) / 1e9;
      if (rebuilt.rebuilds() < o.partitions()) {
        throw new IllegalStateException(name + ": " + rebuilt.rebuilds() + " of " + o.partitions()
            + " tasks rebuilt after " + TIMEOUT.toSeconds() + " s");
      }
      Result r = new Result(name, traces, bytes, app.metrics().bufferedTraces(), rebuilt.rebuilds(),
          rebuilt.recordsReread(), rebuilt.bytesReread(), rebuilt.rereadMillis() / 1000.0, recovery);
      log.info("{}: {} traces buffered; a new instance read {} records ({} bytes) again in {} s, "
          + "every task rebuilt {} s after its start, {} traces buffered again", name, traces, r.records(),
          r.bytes(), r.rereadSeconds(), recovery, r.rebuiltTraces());
      return r;
    } finally {
      EmbeddedKafkaBroker.deleteRecursively(second);
    }
  }

  private static TailstreamConfig config(String bootstrap, String appId, String in, boolean keyed,
      String prefix, EndToEndBenchmark.Options o, Path dir) throws java.io.IOException {
    return BenchConfigs.tailstream(bootstrap, appId, in, keyed, prefix, o, dir, NEVER_DUE);
  }
}
