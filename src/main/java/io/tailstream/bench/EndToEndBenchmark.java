package io.tailstream.bench;

import io.tailstream.app.TailstreamApp;
import io.tailstream.config.StreamsProperties;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.Decider;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.replay.Replay;
import io.tailstream.replay.TopicSource;
import io.tailstream.rules.RulesParser;
import io.tailstream.topology.TailstreamTopology;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.common.utils.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end-to-end benchmark. One seeded workload is loaded once; then, each from the same input,
 * with the same number of stream threads and exactly-once:
 * <ol>
 *   <li>(a) a Kafka Streams app that only copies the records, the physical limit of this design;</li>
 *   <li>(b) tailstream on collector batches with null keys (split → repartition → buffer);</li>
 *   <li>(c) tailstream on input keyed by trace id (no repartition);</li>
 *   <li>the store floor: the keyed records put into a changelogged window store and nothing
 *       else, what any design that buffers spans in Kafka Streams state pays at least;</li>
 *   <li>the in-memory sampler ({@link InMemorySampler}), the design a user would otherwise pick,
 *       on both input shapes.</li>
 * </ol>
 * The copy runs on both input shapes, and each tailstream figure is compared with the copy of
 * the same records. A warm-up round on a smaller topic runs every app once first, so the
 * measured rounds see compiled code rather than the JIT's first minute (the in-JVM broker alone
 * keeps a C2 thread busy that long on two cores). Around every measured round the broker's
 * per-topic byte counts are read ({@link BrokerBytes}), so that each design's bytes written per
 * input byte are known; a replay of the input gives the kept traces to expect. The rebuild
 * rounds ({@link RebuildRound}) measure what a new pod pays to read a buffer of the whole input
 * back from its log. Then the memory scenario holds up to a million traces in flight and samples
 * the heap after GC and the RocksDB files on the way.
 */
public final class EndToEndBenchmark {
  private static final Logger log = LoggerFactory.getLogger(EndToEndBenchmark.class);
  private static final Duration DECIDE_TIMEOUT = Duration.ofSeconds(120);
  private static final String DECISION = "{ wait: 5s, after-root: 1s, idle: 1s, check-interval: 200ms }";
  /** About 13k spans/s: steady traffic well within what one thread drains, so lateness is not backlog. */
  private static final int LIVE_TRACES_PER_SECOND = 2_000;

  /**
   * What to run. {@code bootstrapServers} null means the in-JVM broker; {@code rebuild}: also
   * measure the rebuild of a buffer from its log ({@link RebuildRound}) on both inputs;
   * {@code live}: how long the live round ({@link LiveRound}, decision lateness) sends, zero to skip it;
   * {@code rounds}: how many times the measured block runs, for medians ({@link Rounds});
   * {@code heapBuffer}: tailstream's {@code memory.heap-buffer} in every round (a size such as
   * 512MiB), or null for its default; {@code stageMetrics}: tailstream's {@code stages.enabled}
   * (off by default; the in-memory sampler computes no stage metrics).
   */
  public record Options(long spans, long warmupSpans, int partitions, int threads,
      long memoryTraces, String bootstrapServers, long seed, Duration commitInterval,
      String compression, boolean rebuild, Duration live, int rounds, String heapBuffer,
      boolean stageMetrics) {
    public Options {
      if (rounds < 1) {
        throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
      }
      if (spans < 1_000) {
        throw new IllegalArgumentException("spans must be at least 1000, got " + spans);
      }
      if (partitions < 1 || threads < 1) {
        throw new IllegalArgumentException("partitions and threads must be positive");
      }
      if (live.isNegative()) {
        throw new IllegalArgumentException("the live round's length must not be negative, got " + live);
      }
    }

    /** Without the live round, one measured round. */
    public Options(long spans, long warmupSpans, int partitions, int threads, long memoryTraces,
        String bootstrapServers, long seed, Duration commitInterval, String compression, boolean rebuild) {
      this(spans, warmupSpans, partitions, threads, memoryTraces, bootstrapServers, seed,
          commitInterval, compression, rebuild, Duration.ZERO, 1, null, false);
    }

    /** Without the rebuild rounds and the live round. */
    public Options(long spans, long warmupSpans, int partitions, int threads, long memoryTraces,
        String bootstrapServers, long seed, Duration commitInterval, String compression) {
      this(spans, warmupSpans, partitions, threads, memoryTraces, bootstrapServers, seed,
          commitInterval, compression, false);
    }
  }

  private EndToEndBenchmark() {}

  public static BenchReport run(Options options, Path workDir) throws Exception {
    if (options.bootstrapServers() != null) {
      return run(options, options.bootstrapServers(), workDir);
    }
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      return run(options, broker.bootstrapServers(), workDir);
    }
  }

  private static BenchReport run(Options o, String bootstrap, Path work) throws Exception {
    String prefix = "bench-" + Long.toHexString(System.nanoTime() & 0xffffff) + "-";
    createTopics(bootstrap, o.partitions(), prefix, "in", "in-keyed", "warm", "warm-keyed",
        "copy-out", "out", "dlq", "mem", "live");
    if (o.warmupSpans() > 0) {
      log.info("warm-up: loading {} spans", o.warmupSpans());
      BenchInput.Topics warm = BenchInput.load(bootstrap, prefix + "warm", prefix + "warm-keyed",
          o.warmupSpans(), o.seed() + 1);
      runCopy(bootstrap, prefix + "warm-copy", prefix + "warm", prefix + "copy-out", o, work, warm.batched());
      runStoreFloor(bootstrap, prefix + "warm-floor", prefix + "warm-keyed", prefix, o, work, warm.keyed());
      runTailstream(bootstrap, prefix + "warm-b", prefix + "warm", false, prefix, o, work, warm.batched());
      runTailstream(bootstrap, prefix + "warm-c", prefix + "warm-keyed", true, prefix, o, work, warm.keyed());
      runInMemory(bootstrap, prefix + "warm-m", prefix + "warm", BenchReport.IN_MEMORY, prefix, o, work,
          warm.batched());
    }
    log.info("loading {} spans", o.spans());
    BenchInput.Topics input = BenchInput.load(bootstrap, prefix + "in", prefix + "in-keyed",
        o.spans(), o.seed());
    String in = prefix + "in";
    String keyed = prefix + "in-keyed";
    List<List<RunFigures>> rounds = new ArrayList<>();
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      // On the in-JVM broker its own byte counters; elsewhere the topics' sizes (see BrokerBytes).
      Metered m = new Metered(o.bootstrapServers() == null
          ? BrokerBytes.brokerMetrics() : BrokerBytes.logDirs(admin), prefix);
      for (int r = 0; r < o.rounds(); r++) {
        // Each round's apps are new consumer groups (and by-trace topics) on the same input.
        String id = prefix + (r == 0 ? "" : "r" + (r + 1) + "-");
        List<RunFigures> runs = new ArrayList<>();
        runs.add(m.round(in, () -> runCopy(bootstrap, id + "copy", in, prefix + "copy-out", o, work,
            input.batched())));
        runs.add(m.round(keyed, () -> runCopy(bootstrap, id + "copy-keyed", keyed, prefix + "copy-out",
            o, work, input.keyed())));
        runs.add(m.round(keyed, () -> runStoreFloor(bootstrap, id + "floor-keyed", keyed, prefix, o, work,
            input.keyed())));
        runs.add(m.round(in, () -> runTailstream(bootstrap, id + "ts-b", in, false, prefix, o, work,
            input.batched())));
        runs.add(m.round(keyed, () -> runTailstream(bootstrap, id + "ts-c", keyed, true, prefix, o, work,
            input.keyed())));
        runs.add(m.round(in, () -> runInMemory(bootstrap, id + "mem-b", in, BenchReport.IN_MEMORY, prefix,
            o, work, input.batched())));
        runs.add(m.round(keyed, () -> runInMemory(bootstrap, id + "mem-c", keyed,
            BenchReport.IN_MEMORY_KEYED, prefix, o, work, input.keyed())));
        rounds.add(runs);
      }
    }
    BenchReport.Expected expected = replay(bootstrap, in, work.resolve(prefix + "replay"));
    LiveRound.Result live = o.live().isZero() ? null
        : LiveRound.run(bootstrap, prefix, o, work, prefix + "live", DECISION, LIVE_TRACES_PER_SECOND);
    List<RebuildRound.Result> rebuilds = new ArrayList<>();
    if (o.rebuild()) {
      rebuilds.add(RebuildRound.run(bootstrap, prefix, o, work, in, false));
      rebuilds.add(RebuildRound.run(bootstrap, prefix, o, work, keyed, true));
    }
    MemoryScenario.Result memory = o.memoryTraces() > 0
        ? MemoryScenario.run(bootstrap, prefix, o, work, BenchConfigs::tailstream)
        : null;
    return new BenchReport(o, input, Rounds.of(rounds), memory, expected, rebuilds, live);
  }

  /** One measured round, and the bytes it wrote to the broker: snapshots before and after it. */
  private record Metered(BrokerBytes.Source bytes, String prefix) {
    interface Round {
      RunFigures run() throws Exception;
    }

    RunFigures round(String input, Round round) throws Exception {
      Map<String, Long> before = bytes.snapshot();
      RunFigures figures = round.run(); // returns once the app is closed: everything is written
      return figures.withBrokerWrites(
          BrokerBytes.between(before, bytes.snapshot(), input, prefix, bytes.name()));
    }
  }

  /**
   * The in-memory sampler on {@code in}, with the rules, {@code wait}, output topic, commit
   * interval and compression tailstream gets. Timed like the others: from its partitions'
   * assignment until it committed the end of its input; then until every trace is decided.
   */
  private static RunFigures runInMemory(String bootstrap, String appId, String in, String name,
      String prefix, Options o, Path work, BenchInput.Loaded loaded) throws Exception {
    TailstreamConfig config = BenchConfigs.tailstream(bootstrap, appId, in, false, prefix, o,
        work.resolve(appId), DECISION);
    Decider rules = Decider.compile(RulesParser.load(config.rulesFile()));
    InMemorySampler.Settings settings = new InMemorySampler.Settings(bootstrap, appId, in,
        config.topics().output(), config.decision().maxWait(), o.commitInterval(), o.compression(),
        config.maxOutputRecordBytes());
    Probe.Sample ingested;
    double decided;
    InMemorySampler sampler = InMemorySampler.start(settings, rules);
    try {
      awaitFirstThread(sampler::assigned);
      Probe probe = Probe.start(appId);
      Offsets.awaitConsumed(bootstrap, appId, List.of(in));
      ingested = probe.sample();
      long deadline = System.nanoTime() + DECIDE_TIMEOUT.toNanos();
      while (sampler.decided() < loaded.traces() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      decided = probe.sample().seconds();
    } finally {
      sampler.close();
    }
    InMemorySampler.Counts counts = sampler.counts();
    log.info("{}: {} spans in {} s, all decided after {} s (kept {}, dropped {}, up to {} traces in "
        + "flight)", appId, loaded.spans(), ingested.seconds(), decided, counts.kept(), counts.dropped(),
        counts.maxTracesInFlight());
    return RunFigures.inMemory(name, loaded, ingested, decided, counts);
  }

  /** What the rules keep of {@code topic} with every span read before any trace is decided. */
  private static BenchReport.Expected replay(String bootstrap, String topic, Path dir) throws IOException {
    Properties client = new Properties();
    client.put("bootstrap.servers", bootstrap);
    Replay.Result r = Replay.run(new TopicSource(client, topic, new TopicSource.Start.Beginning(),
            Long.MAX_VALUE), OtlpCodec.of(Encoding.OTLP_PROTO),
        Decider.compile(RulesParser.load(BenchConfigs.rules(dir))), null, records -> {});
    Map<String, Long> byRule = new TreeMap<>();
    r.keptByRule().forEach((rule, stats) -> byRule.put(rule, stats.traces()));
    return new BenchReport.Expected(r.traces(), r.keptTraces(), byRule);
  }

  private static RunFigures runCopy(String bootstrap, String appId, String in, String out, Options o,
      Path work, BenchInput.Loaded loaded) throws Exception {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(in, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .to(out, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()));
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, o.threads());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, o.commitInterval().toMillis());
    p.put(StreamsConfig.producerPrefix("compression.type"), o.compression());
    p.put(StreamsConfig.STATE_DIR_CONFIG, work.resolve(appId).toString());
    p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
    return measureBaseline(new KafkaStreams(builder.build(), p), bootstrap, appId,
        appId.endsWith("keyed") ? "copy-keyed" : "copy", in, loaded);
  }

  /**
   * The floor of any design that buffers spans in changelogged stores: every record put into a
   * window store like {@code trace-spans}, with tailstream's Streams settings, and nothing else
   * (no parsing, no summaries, no decisions, no output).
   */
  private static RunFigures runStoreFloor(String bootstrap, String appId, String in, String prefix,
      Options o, Path work, BenchInput.Loaded loaded) throws Exception {
    Path dir = work.resolve(appId);
    TailstreamConfig config = BenchConfigs.tailstream(bootstrap, appId, in, true, prefix, o, dir,
        "{ wait: 5s }");
    StreamsBuilder builder = new StreamsBuilder();
    builder.addStateStore(Stores.windowStoreBuilder(
            Stores.persistentWindowStore("buffer", Duration.ofMinutes(2), Duration.ofMillis(1), true),
            Serdes.Bytes(), Serdes.ByteArray())
        .withCachingDisabled());
    builder.stream(in, Consumed.with(Serdes.Bytes(), Serdes.ByteArray()))
        .process(() -> new Processor<Bytes, byte[], Void, Void>() {
          private ProcessorContext<Void, Void> context;
          private WindowStore<Bytes, byte[]> store;

          @Override
          public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            this.store = context.getStateStore("buffer");
          }

          @Override
          public void process(Record<Bytes, byte[]> record) {
            store.put(record.key(), record.value(), context.currentSystemTimeMs());
          }
        }, "buffer");
    return measureBaseline(new KafkaStreams(builder.build(), StreamsProperties.streams(config)),
        bootstrap, appId, "store-floor-keyed", in, loaded);
  }

  /** Runs a baseline app until its group has consumed {@code in}; closes it. */
  private static RunFigures measureBaseline(KafkaStreams streams, String bootstrap, String appId,
      String name, String in, BenchInput.Loaded loaded) throws InterruptedException {
    try (streams) {
      streams.start();
      awaitFirstThread(() -> anyThreadRunning(streams));
      Probe probe = Probe.start(appId);
      Offsets.awaitConsumed(bootstrap, appId, List.of(in));
      Probe.Sample done = probe.sample();
      log.info("{}: {} spans in {} s", appId, loaded.spans(), done.seconds());
      return RunFigures.baseline(name, loaded, done);
    }
  }

  private static RunFigures runTailstream(String bootstrap, String appId, String in, boolean keyed,
      String prefix, Options o, Path work, BenchInput.Loaded loaded) throws Exception {
    Path dir = work.resolve(appId);
    TailstreamConfig config = BenchConfigs.tailstream(bootstrap, appId, in, keyed, prefix, o, dir,
        DECISION);
    List<String> consumed = keyed ? List.of(in)
        : List.of(in, io.tailstream.config.TopicSettings.defaultByTrace(appId));
    try (TailstreamApp app = TailstreamApp.create(config)) {
      app.start();
      awaitFirstThread(app::anyStreamThreadRunning);
      Probe probe = Probe.start(appId);
      Offsets.awaitConsumed(bootstrap, appId, consumed);
      Probe.Sample ingested = probe.sample();
      long deadline = System.nanoTime() + DECIDE_TIMEOUT.toNanos();
      while (app.metrics().tracesKept() + app.metrics().tracesDropped() < loaded.traces()
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      double decided = probe.sample().seconds();
      long heap = Probe.heapAfterGc();
      var m = app.metrics();
      log.info("{}: {} spans in {} s, all decided after {} s", appId, loaded.spans(),
          ingested.seconds(), decided);
      RunFigures partial = RunFigures.tailstream(keyed ? "tailstream-keyed" : "tailstream-repartition",
          loaded, ingested, decided, m.decisionLatenessPercentile(50), m.decisionLatenessPercentile(99),
          heap, m.tracesKept(), m.tracesDropped());
      app.close();
      // What went to trace-spans: the traces memory.heap-buffer did not hold (dropped ones expire
      // with segments, later). Closing flushes the memtables, so the files hold what it costs.
      return partial.withStoreBytes(StoreFiles.bytes(dir, "trace-spans"));
    }
  }

  /**
   * Timing starts when the first stream thread runs: every app pays the same start-up otherwise,
   * and with several threads the client turns RUNNING only after the first one began processing.
   */
  static void awaitFirstThread(BooleanSupplier running)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!running.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no stream thread running after 60 s");
      }
      Thread.sleep(5);
    }
  }

  private static boolean anyThreadRunning(KafkaStreams streams) {
    return streams.metadataForLocalThreads().stream().anyMatch(t -> "RUNNING".equals(t.threadState()));
  }

  private static void createTopics(String bootstrap, int partitions, String prefix, String... names)
      throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      List<NewTopic> topics = new ArrayList<>();
      for (String name : names) {
        topics.add(new NewTopic(prefix + name, partitions, (short) 1));
      }
      admin.createTopics(topics).all().get();
    }
  }
}
