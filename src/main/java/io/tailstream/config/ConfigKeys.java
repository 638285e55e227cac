package io.tailstream.config;

import static io.tailstream.config.ConfigKey.atLeastOneSecond;
import static io.tailstream.config.ConfigKey.bool;
import static io.tailstream.config.ConfigKey.duration;
import static io.tailstream.config.ConfigKey.integer;
import static io.tailstream.config.ConfigKey.number;
import static io.tailstream.config.ConfigKey.positive;
import static io.tailstream.config.ConfigKey.rate;
import static io.tailstream.config.ConfigKey.size;
import static io.tailstream.config.ConfigKey.text;
import static io.tailstream.config.ConfigKey.topic;

import io.tailstream.otlp.Encoding;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import io.tailstream.adapt.StageRule;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every key of {@code tailstream.yaml}, in the order the reference lists them. Adding a key
 * here puts it in the loader's allowed keys, the environment overrides, the JSON Schema, the
 * reference page and the example; {@code ConfigReferenceTest} fails until the generated files
 * are written again.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final String REMEMBERED = "decisions must be remembered for late spans to follow them";

  public static final ConfigKey<String> BOOTSTRAP_SERVERS = ConfigKey.required("kafka.bootstrap-servers",
      "host:port[,host:port]", "host:port of your brokers (required)");
  public static final ConfigKey<String> APPLICATION_ID = text("kafka.application-id", "tailstream",
      "a non-empty Kafka Streams application id",
      "Kafka Streams application id: the consumer group and the prefix of internal topics; "
          + "instances with the same id share the work");
  public static final ConfigKey<String> GROUP_INSTANCE_ID = text("kafka.group-instance-id", null,
      "a stable name per instance, e.g. the pod name",
      "static group membership: a stable name per instance (the pod name), so that a restarted "
          + "instance takes its tasks straight back without a rebalance");
  public static final ConfigKey<Void> KAFKA_PROPERTIES = ConfigKey.properties("kafka.properties",
      "any Kafka client or Streams setting, passed to every client tailstream creates "
          + "(security.protocol, sasl.*, ssl.*, num.stream.threads, state.dir, ...); overrides "
          + "tailstream's own defaults");

  public static final ConfigKey<String> INPUT_TOPIC = topic("topics.input", "otlp_spans",
      "where collectors write spans");
  public static final ConfigKey<String> OUTPUT_TOPIC = topic("topics.output", "sampled_traces",
      "where kept traces go");
  public static final ConfigKey<String> DEAD_LETTER_TOPIC = topic("topics.dead-letter", "otlp_spans_dlq",
      "records that cannot be read or processed, with the reason in headers");
  public static final ConfigKey<String> CONTROL_TOPIC = topic("topics.control", "sampling_control",
      "boosts from operators and automatic ones; read whole by every instance; created compacted, "
          + "1 partition");
  public static final ConfigKey<String> RATES_TOPIC = topic("topics.rates", "sampling_rates",
      "effective rate changes, Jaeger strategies, per-model and per-stage statistics; created "
          + "compacted, 1 partition");
  public static final ConfigKey<Boolean> CREATE_TOPICS = bool("topics.create", true,
      "create missing input, output, dead-letter, control and rates topics at start; with false "
          + "a missing topic stops the start with a message naming it");
  public static final ConfigKey<Integer> PARTITIONS = integer("topics.partitions", 12, 1, 10_000,
      "an integer from 1 to 10000",
      "partitions of the topics tailstream creates; also the most instances x threads that help");
  public static final ConfigKey<Integer> REPLICATION_FACTOR = integer("topics.replication-factor", 1, 1, 32,
      "an integer from 1 to 32",
      "replication of the topics tailstream creates, internal ones included (3 in production)");
  public static final ConfigKey<String> BY_TRACE_TOPIC = ConfigKey.derivedTopic("topics.by-trace",
      "<application-id>-by-trace",
      "with null-key input: the topic split writes each trace's fragments to, placed by trace id, "
          + "and buffers are rebuilt from; created when missing, with the input's partition count");
  public static final ConfigKey<Duration> BY_TRACE_RETENTION = atLeastOneSecond("topics.by-trace-retention",
      null, "max(1h, 4 x (wait + late-span-ttl))", REMEMBERED,
      "retention the by-trace topic is created with: an outage longer than this loses the traces "
          + "buffered when it began; a by-trace topic or keyed input kept for less than "
          + "max(10m, 4 x wait) is refused at start");

  public static final ConfigKey<Boolean> KEYED_BY_TRACE_ID = bool("input.keyed-by-trace-id", false,
      "true when the collector's Kafka exporter uses partition_traces_by_id: every span of a trace "
          + "is in one partition already, so the by-trace topic is skipped and the input is the "
          + "buffer's log");
  public static final ConfigKey<Encoding> ENCODING = ConfigKey.choice("encoding", Encoding.OTLP_PROTO,
      "otlp_proto", Encoding::parse, List.of("otlp_proto", "otlp_json"),
      "the input's encoding; kept traces are written in the same one");

  public static final ConfigKey<Duration> WAIT = positive("decision.wait", Duration.ofSeconds(30),
      "a trace is decided at the latest this long after its first span, in input time");
  public static final ConfigKey<Duration> AFTER_ROOT = positive("decision.after-root", Duration.ofSeconds(5),
      "... or this long after its root span");
  public static final ConfigKey<Duration> IDLE = positive("decision.idle", Duration.ofSeconds(10),
      "... or when no span of it arrived for this long");
  public static final ConfigKey<Integer> MAX_SPANS_PER_TRACE = integer("decision.max-spans-per-trace",
      10_000, 1, 10_000_000, "an integer from 1 to 10000000",
      "decide at once when a trace reaches this many spans");
  public static final ConfigKey<Long> MAX_BYTES_PER_TRACE = size("decision.max-bytes-per-trace", 8L << 20,
      1024, 1L << 30, "from 1KiB to 1GiB", "... or this many encoded bytes");
  public static final ConfigKey<Duration> LATE_SPAN_TTL = atLeastOneSecond("decision.late-span-ttl",
      Duration.ofMinutes(10), null, REMEMBERED,
      "how long a decision is remembered, so that late spans follow their trace's decision");
  public static final ConfigKey<Duration> CHECK_INTERVAL = positive("decision.check-interval", SECOND,
      "how often due traces are looked for and input progress is announced");
  public static final ConfigKey<Duration> DELIVERY_SLACK = ConfigKey.duration("decision.delivery-slack",
      SECOND, "how long after its timestamp a record may still reach the input topic (collector "
          + "batching, queueing, retries): a caught-up partition's input time trails the wall clock by "
          + "this much; records later than that can find their trace decided");

  public static final ConfigKey<Long> MAX_RECORD_BYTES = size("output.max-record-bytes", 1L << 20,
      16 * 1024, 64L << 20, "from 16KiB to 64MiB",
      "larger kept traces are split across records (no span lost or repeated); lowered at start "
          + "to fit the output topic's max.message.bytes");
  public static final ConfigKey<AttributeScope> DECISION_ATTRIBUTES = ConfigKey.choice(
      "output.decision-attributes", AttributeScope.OFF, "off", AttributeScope::parse,
      List.of("off", "root", "all"),
      "tailstream.* span attributes that say why a trace was kept (rule, rules version, adjusted "
          + "count, decision delay; see docs/wire-formats.md), for Jaeger and Tempo to show: on the "
          + "root span (the earliest span when the trace has none), on all spans, or off (spans pass "
          + "through unchanged)");
  public static final ConfigKey<String> RULES = text("rules", "rules.yaml", "a path to the rules file",
      "the rules file, relative to the config file");

  public static final ConfigKey<Double> BOOST_MAX_FACTOR = number("boosts.max-factor", 100, 1, 1_000_000,
      "a number of at least 1", "largest factor a boost may have");
  public static final ConfigKey<Duration> BOOST_MAX_TTL = positive("boosts.max-ttl", Duration.ofHours(24),
      "longest boost");
  public static final ConfigKey<Integer> BOOST_MAX_CONCURRENT = integer("boosts.max-concurrent", 50, 1,
      10_000, "an integer from 1 to 10000", "most boosts active at once; more are refused");

  public static final ConfigKey<Boolean> AUTO_ENABLED = bool("auto-boost.enabled", true,
      "start boosts by themselves on error or latency spikes");
  public static final ConfigKey<Duration> AUTO_INTERVAL = positive("auto-boost.interval",
      Duration.ofSeconds(10), "how often spikes are looked for (the short window)");
  public static final ConfigKey<Double> AUTO_ERROR_RATE_FACTOR = number("auto-boost.error-rate-factor", 3,
      1, 1000, "a number of at least 1", "spike: error rate above its baseline x this ...");
  public static final ConfigKey<Double> AUTO_ERROR_RATE_FLOOR = rate("auto-boost.error-rate-floor", 0.05,
      "... and at least this");
  public static final ConfigKey<Double> AUTO_LATENCY_FACTOR = number("auto-boost.latency-factor", 2, 1,
      1000, "a number of at least 1", "spike: p99 latency above its baseline x this ...");
  public static final ConfigKey<Duration> AUTO_LATENCY_FLOOR = duration("auto-boost.latency-floor",
      Duration.ofMillis(500), "... and at least this");
  public static final ConfigKey<Integer> AUTO_MIN_TRACES = integer("auto-boost.min-traces", 50, 1,
      1_000_000, "an integer of at least 1", "scopes with fewer traces in an interval are not judged");
  public static final ConfigKey<Double> AUTO_SAMPLE = rate("auto-boost.sample", 0.5,
      "the rate an automatic boost samples its scope at");
  public static final ConfigKey<Duration> AUTO_TTL = positive("auto-boost.ttl", Duration.ofMinutes(15),
      "lifetime of an automatic boost, renewed while the spike lasts");
  public static final ConfigKey<Duration> AUTO_COOLDOWN = duration("auto-boost.cooldown",
      Duration.ofMinutes(2), "a scope must stay calm this long before its automatic boost ends");

  public static final ConfigKey<Duration> RATES_INTERVAL = positive("rates.interval", Duration.ofSeconds(10),
      "at most one rate change per scope per interval is published");
  public static final ConfigKey<Duration> RATES_STATS_INTERVAL = positive("rates.stats-interval",
      Duration.ofMinutes(1), "how often statistics and the Jaeger strategies are published");

  public static final ConfigKey<Integer> ADMIN_PORT = integer("admin.port", 8080, -1, 65535,
      "a port from 0 to 65535 (0: any free port), or -1 to turn it off",
      "the admin HTTP port (/metrics, /health/live, /health/ready, /api/sampling); 0 any free "
          + "port, -1 off");
  public static final ConfigKey<String> ADMIN_BIND = text("admin.bind", "0.0.0.0",
      "an address to listen on, e.g. 127.0.0.1 or 0.0.0.0",
      "the address the admin port listens on (127.0.0.1 keeps it local)");

  public static final ConfigKey<Duration> SHUTDOWN_TIMEOUT = positive("shutdown-timeout",
      Duration.ofSeconds(30), "on SIGTERM: how long to commit and close");

  public static final ConfigKey<Long> ROCKSDB_CACHE = size("memory.rocksdb-cache", 128L << 20, 8L << 20,
      64L << 30, "from 8MiB", "one RocksDB block cache shared by every store of the instance, "
          + "index and filter blocks included: bounds off-heap memory");
  public static final ConfigKey<Long> ROCKSDB_WRITE_BUFFERS = size("memory.rocksdb-write-buffers", 64L << 20,
      4L << 20, 32L << 30, "from 4MiB", "RocksDB write buffers of all stores, charged to that cache");
  public static final ConfigKey<Long> HEAP_BUFFER = size("memory.heap-buffer", 64L << 20, 0, 64L << 30,
      "0 to keep every buffered trace in RocksDB",
      "heap the undecided traces may take before they go to RocksDB (part of -Xmx; rebuilt from "
          + "the log after a crash); 0 keeps every trace in RocksDB");

  private static final DecisionSettings.Stress STRESS = DecisionSettings.Stress.defaults();
  public static final ConfigKey<Long> STRESS_MAX_BUFFERED_BYTES = size("stress.max-buffered-bytes",
      STRESS.maxBufferedBytes(), 16 * 1024, 1L << 40, "", "per-instance budget for buffered trace bytes");
  public static final ConfigKey<Double> STRESS_HIGH = rate("stress.high-watermark", STRESS.high(),
      "stress relief starts above this share of the budget ...");
  public static final ConfigKey<Double> STRESS_HEAP_HIGH = rate("stress.heap-high-watermark",
      STRESS.heapHigh(), "... or when the heap in use after the last GC is above this share of the "
          + "maximum heap");
  public static final ConfigKey<Double> STRESS_LOW = rate("stress.low-watermark", STRESS.low(),
      "... and ends below this share of the budget (and the heap 10 points under its watermark)");
  public static final ConfigKey<Double> STRESS_SAMPLE = rate("stress.sample", STRESS.sample(),
      "under stress, new traces without a visible error are kept at this rate");

  private static final StageSettings STAGES = StageSettings.defaults();
  public static final ConfigKey<Boolean> STAGES_ENABLED = bool("stages.enabled", STAGES.enabled(),
      "classify every span into a pipeline stage and export tailstream_stage_* latency histograms "
          + "and request and error counters per service, stage and model (docs/stage-metrics.md)");
  public static final ConfigKey<List<StageRule>> STAGES_MAPPING =
      ConfigKey.stageRules("stages.mapping", STAGES.mapping(), "built-in (docs/stage-metrics.md)",
          StageSettings::parseMapping, "a list of rules: { stage, root, attribute, values, service, "
              + "span-name }",
          "ordered rules giving a span its stage, first match wins, no match is 'other'; the "
              + "built-in ones follow the OpenTelemetry GenAI conventions and common ML-serving names");
  public static final ConfigKey<Integer> STAGES_MAX_SERVICES = integer("stages.max-services",
      STAGES.maxServices(), 1, 10_000, "an integer from 1 to 10000",
      "distinct service label values; later services are labelled 'other'");
  public static final ConfigKey<Integer> STAGES_MAX_MODELS = integer("stages.max-models",
      STAGES.maxModels(), 1, 10_000, "an integer from 1 to 10000",
      "distinct model label values; later models are labelled 'other'");
  public static final ConfigKey<Integer> STAGES_MAX_SERIES = integer("stages.max-series",
      STAGES.maxSeries(), 1, 100_000, "an integer from 1 to 100000",
      "label sets (service, stage, model) in all, each about 24 samples; later ones share one "
          + "overflow series per stage (service and model 'other')");

  /** Every key, in reference order. */
  public static final List<ConfigKey<?>> ALL = List.of(BOOTSTRAP_SERVERS, APPLICATION_ID,
      GROUP_INSTANCE_ID, KAFKA_PROPERTIES, INPUT_TOPIC, OUTPUT_TOPIC, DEAD_LETTER_TOPIC, CONTROL_TOPIC,
      RATES_TOPIC, CREATE_TOPICS, PARTITIONS, REPLICATION_FACTOR, BY_TRACE_TOPIC, BY_TRACE_RETENTION,
      KEYED_BY_TRACE_ID, ENCODING, WAIT, AFTER_ROOT, IDLE, MAX_SPANS_PER_TRACE, MAX_BYTES_PER_TRACE,
      LATE_SPAN_TTL, CHECK_INTERVAL, DELIVERY_SLACK, MAX_RECORD_BYTES, DECISION_ATTRIBUTES, RULES, BOOST_MAX_FACTOR, BOOST_MAX_TTL,
      BOOST_MAX_CONCURRENT, AUTO_ENABLED, AUTO_INTERVAL, AUTO_ERROR_RATE_FACTOR, AUTO_ERROR_RATE_FLOOR,
      AUTO_LATENCY_FACTOR, AUTO_LATENCY_FLOOR, AUTO_MIN_TRACES, AUTO_SAMPLE, AUTO_TTL, AUTO_COOLDOWN,
      RATES_INTERVAL, RATES_STATS_INTERVAL, ADMIN_PORT, ADMIN_BIND, SHUTDOWN_TIMEOUT, ROCKSDB_CACHE,
      ROCKSDB_WRITE_BUFFERS, HEAP_BUFFER, STRESS_MAX_BUFFERED_BYTES, STRESS_HIGH, STRESS_HEAP_HIGH,
      STRESS_LOW, STRESS_SAMPLE, STAGES_ENABLED, STAGES_MAPPING, STAGES_MAX_SERVICES, STAGES_MAX_MODELS,
      STAGES_MAX_SERIES);

  /** The keys of each section ({@code ""}: the top level's own keys), in reference order. */
  public static Map<String, Set<String>> sections() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (ConfigKey<?> key : ALL) {
      out.computeIfAbsent(key.section(), s -> new LinkedHashSet<>()).add(key.name());
    }
    return out;
  }

  /** The keys allowed at the top level: the sections and the top level's own keys. */
  public static Set<String> topLevel() {
    Set<String> out = new LinkedHashSet<>();
    for (ConfigKey<?> key : ALL) {
      out.add(key.section().isEmpty() ? key.name() : key.section());
    }
    return out;
  }
}
