package io.tailstream.app;

import io.tailstream.adapt.AdaptiveState;
import io.tailstream.adapt.StageMap;
import io.tailstream.adapt.BoostTable;
import io.tailstream.adapt.EffectiveRates;
import io.tailstream.adapt.ModelLearners;
import io.tailstream.adapt.SpikeDetector;
import io.tailstream.buffer.InputLag;
import io.tailstream.config.AdaptSettings;
import io.tailstream.config.BoundedRocksDbMemory;
import io.tailstream.config.StageSettings;
import io.tailstream.config.StreamsProperties;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.metrics.AdaptiveGauges;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.metrics.Telemetry;
import io.tailstream.rules.RuleSet;
import io.tailstream.rules.RulesParser;
import io.tailstream.topology.DeadLetterHandler;
import io.tailstream.topology.StoreNames;
import io.tailstream.topology.TailstreamTopology;
import io.tailstream.yaml.YamlException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running tailstream instance: rules loaded, topics checked, Kafka Streams started, a summary
 * logged every 30 s. What {@code run} and {@code demo} start, and what integration tests drive.
 *
 * <p>Lifecycle: {@link #create} validates (throws on bad rules), {@link #start} connects (blocks
 * until Kafka answers), {@link #close} stops and waits.
 */
public final class TailstreamApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TailstreamApp.class);
  static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(30);
  static final Duration RULES_CHECK_INTERVAL = Duration.ofSeconds(1);

  private final TailstreamConfig config;
  private final ActiveRules rules;
  private final RulesWatcher watcher;
  private final Telemetry telemetry = new Telemetry();
  private final TailstreamMetrics metrics = new TailstreamMetrics(telemetry.registry());
  private volatile KafkaBufferLog bufferLog;
  private final AdaptiveGauges gauges;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ScheduledExecutorService summaries = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tailstream-summary");
    t.setDaemon(true);
    return t;
  });
  private volatile KafkaStreams streams;
  private volatile CloseMembership closeMembership;
  private volatile KafkaProducer<String, byte[]> sideProducer;
  private volatile RatesPublisher rates;
  private volatile AdminServer admin;
  private final SpikeDetector detector;
  private final StreamThreadFailures threadFailures = new StreamThreadFailures(telemetry.registry());

  private final LiveInstances instances;
  /** Exists before the topology that asks it; bound to the Kafka Streams client in start(). */
  private final ConsumerLag inputLag;

  private TailstreamApp(TailstreamConfig config, String rulesText, Decider decider,
      LiveInstances instances) {
    this.instances = instances;
    this.config = config;
    this.rules = new ActiveRules(decider);
    this.inputLag = new ConsumerLag(ConsumerLag.staleAfter(StreamsProperties.streams(config)));
    inputLag.bindTo(telemetry.registry());
    this.watcher = new RulesWatcher(config.rulesFile(), rulesText, rules, metrics);
    metrics.rulesLoaded(decider.version(), decider.ruleNames());
    metrics.recordRefused(config.topics().output(), 0); // the series exists before the first refusal
    this.gauges = new AdaptiveGauges(telemetry.registry(),
        () -> rules.current().boosts().active(System.currentTimeMillis()).size());
    AdaptSettings a = config.adapt();
    this.detector = new SpikeDetector(new SpikeDetector.Settings(a.errorRateFactor(),
        a.errorRateFloor(), a.latencyFactor(), a.latencyFloor().toNanos(), a.minTraces(),
        a.cooldown().toMillis()));
    if (a.autoEnabled()) {
      decider.adaptive().detectSpikesWith(detector);
    }
    StageSettings stages = config.stages();
    if (stages.enabled()) {
      StageMap map = StageMap.of(stages.mapping());
      decider.adaptive().observeStagesWith(map, metrics.meterStages(map.stages(), stages.maxServices(),
          stages.maxModels(), stages.maxSeries()));
    }
    gauges.boundedState("spike_scopes", detector::accountedBytes, detector::refused);
    gauges.boundedState("learned_models", decider.adaptive().learners()::accountedBytes,
        decider.adaptive().learners()::refused);
    gauges.boundedState("stage_stats", decider.adaptive().stageStats()::accountedBytes,
        decider.adaptive().stageStats()::refused);
  }

  /** Loads and compiles the rules; throws {@code YamlException} when they are invalid. */
  public static TailstreamApp create(TailstreamConfig config) {
    String text;
    try {
      text = Files.readString(config.rulesFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new YamlException("cannot read rules file " + config.rulesFile() + ": " + e.getMessage());
    }
    RuleSet ruleSet = RulesParser.parse(text, config.rulesFile().toString());
    ruleSet.warnings().forEach(w -> log.warn("rules: {}", w));
    BoostTable boosts = new BoostTable(config.adapt().maxConcurrent());
    LiveInstances instances = new LiveInstances(config);
    AdaptiveState adaptive = new AdaptiveState(new ModelLearners(), boosts, instances::count);
    return new TailstreamApp(config, text, Decider.compile(ruleSet, adaptive), instances);
  }

  /** How far this instance's consumers are behind each input partition; unknown until started. */
  public InputLag inputLag() {
    return inputLag;
  }

  /** The rules in force (they change when the rules file does). */
  public ActiveRules rules() {
    return rules;
  }

  /** Opens the admin port, waits for Kafka, creates missing topics, starts processing. */
  public void start() throws InterruptedException {
    // Before anything waits for Kafka: liveness must answer while the brokers are unreachable.
    openAdminPort();
    // Before any store opens; fails at once, naming the platform, where a library is missing.
    log.info("RocksDB native library {}", RocksDbNative.ensureLoaded().describe());
    TailstreamConfig fitted;
    TailstreamTopology.Partitions partitions;
    try (Admin admin = TopicProvisioner.connect(StreamsProperties.admin(config))) {
      TopicProvisioner.ensureTopics(admin, config.kafka().bootstrapServers(), config.topics());
      fitted = TopicLimits.fit(admin, config);
      partitions = BufferLogTopic.prepare(admin, config);
    }
    bufferLog = new KafkaBufferLog(config.kafka().applicationId(), StreamsProperties.logReader(config),
        StreamsProperties.admin(config));
    Topology topology = TailstreamTopology.build(fitted, rules, metrics, inputLag, partitions, bufferLog);
    log.debug("topology:\n{}", topology.describe());
    Properties streamsProps = StreamsProperties.streams(config);
    log.info("Kafka Streams settings: {}", io.tailstream.config.Secrets.masked(streamsProps));
    streamsProps.put(BoundedRocksDbMemory.LOOKUP_STORES, StoreNames.TRACE_STATE);
    streamsProps.put(io.tailstream.config.OversizedRecordHandler.REFUSED_LISTENER,
        (java.util.function.Consumer<String>) metrics::recordRefused);
    DeadLetterHandler.install(streamsProps, fitted, metrics);
    closeMembership = CloseMembership.forStreams(streamsProps);
    KafkaStreams kafkaStreams = new KafkaStreams(topology, streamsProps);
    kafkaStreams.setUncaughtExceptionHandler(threadFailures);
    kafkaStreams.setStateListener((now, before) -> {
      log.info("state {} -> {}", before, now);
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
        stopped.countDown();
      }
    });
    streams = kafkaStreams;
    telemetry.bind(kafkaStreams);
    inputLag.bind(kafkaStreams);
    kafkaStreams.start();
    inputLag.start();
    Decider decider = rules.current();
    log.info("tailstream started: {} → {} ({}), rules {} version {} from {}", config.topics().input(),
        config.topics().output(), config.encoding(), decider.ruleNames(), decider.version(),
        config.rulesFile());
    summaries.scheduleAtFixedRate(this::logSummary,
        SUMMARY_INTERVAL.toMillis(), SUMMARY_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    summaries.scheduleWithFixedDelay(watcher::check, RULES_CHECK_INTERVAL.toMillis(),
        RULES_CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    startAdaptive();
  }

  /** Rates publishing and the admin endpoint (and, later in start-up order, auto boosts). */
  private void startAdaptive() {
    sideProducer = new KafkaProducer<>(StreamsProperties.producer(config), new StringSerializer(),
        new ByteArraySerializer());
    telemetry.bind(sideProducer);
    long interval = config.adapt().ratesInterval().toMillis();
    // The summary thread is the publisher's: boosts and samplers only post to it (see RatesPublisher).
    rates = new RatesPublisher(sideProducer, config.topics().rates(), rules, interval,
        System.currentTimeMillis(), summaries);
    rules.current().boosts().onChange(c -> rates.onBoostChange(c, System.currentTimeMillis()));
    rules.current().adaptive().onRateChange((rule, key, oldRate, newRate) ->
        rates.dynamicRate(rule, key, oldRate, newRate, System.currentTimeMillis()));
    scheduleSafely(instances::refresh, 0, Duration.ofSeconds(30).toMillis());
    scheduleSafely(() -> {
      long now = System.currentTimeMillis();
      rates.tick(now);
      gauges.rates(rates.snapshot(now));
    }, interval, interval);
    gauges.rates(rates.snapshot(System.currentTimeMillis()));
    long statsEvery = config.adapt().statsInterval().toMillis();
    scheduleSafely(() -> {
      long now = System.currentTimeMillis();
      rates.publishStrategies(now);
      var stats = rules.current().adaptive().stageStats().drain();
      gauges.stageStats(stats);
      rates.publishStats(stats, statsEvery, now);
    }, statsEvery, statsEvery);
    if (config.adapt().autoEnabled()) {
      AutoBooster auto = new AutoBooster(detector, sideProducer, config.topics().control(), config.adapt());
      long every = config.adapt().autoInterval().toMillis();
      scheduleSafely(() -> auto.evaluate(System.currentTimeMillis()), every, every);
    }
  }

  private void openAdminPort() {
    if (config.adminPort() == TailstreamConfig.ADMIN_DISABLED) {
      return;
    }
    try {
      admin = new AdminServer(config.adminBind(), config.adminPort(), new AdminServer.Source() {
        @Override
        public EffectiveRates.Snapshot rates() {
          RatesPublisher r = rates;
          return r == null ? null : r.snapshot(System.currentTimeMillis());
        }

        @Override
        public String scrape() {
          return telemetry.scrape();
        }

        @Override
        public AdminServer.Probe live() {
          return new AdminServer.Probe(!failed(), state().name(), null);
        }

        @Override
        public void refused(HttpPort.Refusal why) {
          metrics.adminRefused(why.label());
        }

        @Override
        public AdminServer.Probe ready() {
          Decider d = rules.current();
          return new AdminServer.Probe(state() == KafkaStreams.State.RUNNING && d != null,
              state().name(), d == null ? null : d.version());
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the admin port " + config.adminPort() + ": "
          + e.getMessage() + " (set admin.port, or -1 to turn it off)", e);
    }
  }

  /** Periodic work that logs its failures instead of silently ending its schedule. */
  private void scheduleSafely(Runnable task, long initialDelayMs, long periodMs) {
    summaries.scheduleWithFixedDelay(() -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("periodic task failed; it runs again in {} ms", periodMs, e);
      }
    }, initialDelayMs, periodMs, TimeUnit.MILLISECONDS);
  }

  /** The admin HTTP port in use, or -1 when it is off. */
  public int adminPort() {
    return admin == null ? TailstreamConfig.ADMIN_DISABLED : admin.port();
  }

  private void logSummary() {
    log.info(metrics.summaryLine());
    var learned = rules.current().learners().describe(System.currentTimeMillis());
    if (!learned.isEmpty()) {
      log.info("learned model thresholds: {}", learned);
    }
  }

  /** Blocks until processing runs (true) or the timeout passes (false). */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** Blocks until the streams stop (closed, or failed). */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  /** True when the instance stopped because of an error rather than {@link #close}. */
  public boolean failed() {
    return threadFailures.gaveUp() || (streams != null && streams.state() == KafkaStreams.State.ERROR);
  }

  /** The last exception a stream thread died of (replaced or not), if any. */
  public Optional<Throwable> lastThreadFailure() {
    return Optional.ofNullable(threadFailures.last());
  }

  /**
   * True once any stream thread processes. With several threads one may run before the others
   * have joined, so the client's state turns RUNNING only after processing began.
   */
  public boolean anyStreamThreadRunning() {
    KafkaStreams s = streams;
    return s != null && s.metadataForLocalThreads().stream()
        .anyMatch(t -> "RUNNING".equals(t.threadState()));
  }

  public KafkaStreams.State state() {
    return streams == null ? KafkaStreams.State.CREATED : streams.state();
  }

  public TailstreamMetrics metrics() {
    return metrics;
  }

  public TailstreamConfig config() {
    return config;
  }

  @Override
  public void close() {
    summaries.shutdownNow();
    inputLag.close(); // from here every partition counts as not caught up
    if (admin != null) {
      admin.close();
    }
    if (sideProducer != null) {
      sideProducer.close(Duration.ofSeconds(5));
    }
    KafkaStreams s = streams;
    if (s != null) {
      // Commits what was processed and closes without deciding buffered traces early: whichever
      // instance takes a task over restores its buffer from Kafka. Whether that happens now or
      // after the session timeout is the membership choice (see CloseMembership).
      CloseMembership membership = closeMembership;
      log.info("closing: {}", membership);
      if (!s.close(membership.options(config.shutdownTimeout()))) {
        log.warn("Kafka Streams did not finish closing within shutdown-timeout {}",
            config.shutdownTimeout());
      }
      log.info("tailstream stopped; {}", metrics.summaryLine());
    }
    KafkaBufferLog reader = bufferLog;
    if (reader != null) {
      reader.close();
    }
    telemetry.close();
    stopped.countDown();
  }
}
