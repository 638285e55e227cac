package io.tailstream.config;

import io.tailstream.otlp.Encoding;
import io.tailstream.yaml.Units;
import io.tailstream.yaml.YamlException;
import io.tailstream.yaml.YamlNode;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads {@link TailstreamConfig} from a YAML file, letting {@code TAILSTREAM_<UPPER_SNAKE_PATH>}
 * environment variables override single keys ({@code TAILSTREAM_DECISION_WAIT=5s}). Unknown keys,
 * bad values and missing required keys fail with a {@link YamlException} that names the key, the
 * value, where it came from and what is allowed.
 */
public final class ConfigLoader {
  private static final Logger log = LoggerFactory.getLogger(ConfigLoader.class);
  public static final String ENV_PREFIX = "TAILSTREAM_";

  private static final Set<String> TOP_KEYS =
      Set.of("kafka", "topics", "input", "encoding", "decision", "output", "rules", "boosts",
          "auto-boost", "rates", "admin", "shutdown-timeout", "memory", "stress");
  private static final Set<String> KAFKA_KEYS =
      Set.of("bootstrap-servers", "application-id", "properties", "group-instance-id");
  private static final Set<String> TOPIC_KEYS = Set.of("input", "output", "dead-letter", "control",
      "rates", "create",
      "partitions", "replication-factor", "by-trace", "by-trace-retention");
  private static final Set<String> INPUT_KEYS = Set.of("keyed-by-trace-id");
  private static final Set<String> DECISION_KEYS = Set.of("wait", "after-root", "idle",
      "max-spans-per-trace", "max-bytes-per-trace", "late-span-ttl", "check-interval");
  private static final Set<String> OUTPUT_KEYS = Set.of("max-record-bytes");
  private static final Set<String> BOOST_KEYS = Set.of("max-factor", "max-ttl", "max-concurrent");
  private static final Set<String> AUTO_BOOST_KEYS = Set.of("enabled", "interval",
      "error-rate-factor", "error-rate-floor", "latency-factor", "latency-floor", "min-traces",
      "sample", "ttl", "cooldown");
  private static final Set<String> RATES_KEYS = Set.of("interval", "stats-interval");
  private static final Set<String> ADMIN_KEYS = Set.of("port", "bind");
  private static final Set<String> MEMORY_KEYS = Set.of("rocksdb-cache", "rocksdb-write-buffers", "heap-buffer");
  private static final Set<String> STRESS_KEYS = Set.of("max-buffered-bytes", "high-watermark",
      "low-watermark", "heap-high-watermark", "sample");

  private final Map<String, String> env;

  private ConfigLoader(Map<String, String> env) {
    this.env = env;
  }

  /** Loads the file with the process environment applied. */
  public static TailstreamConfig load(Path file) {
    return load(file, System.getenv());
  }

  public static TailstreamConfig load(Path file, Map<String, String> env) {
    return new ConfigLoader(env).read(YamlNode.load(file), file.toAbsolutePath().getParent());
  }

  /** Parses config text; relative rule paths resolve against {@code baseDir}. */
  public static TailstreamConfig parse(String yaml, String source, Path baseDir,
      Map<String, String> env) {
    return new ConfigLoader(env).read(YamlNode.parse(yaml, source), baseDir);
  }

  private TailstreamConfig read(YamlNode root, Path baseDir) {
    if (!root.isMap()) {
      throw root.error("expected the config to be a mapping with keys " + TOP_KEYS);
    }
    root.requireKeys(TOP_KEYS);
    Section top = new Section("", Optional.of(root));

    Section kafka = top.section("kafka", KAFKA_KEYS);
    String bootstrap = kafka.read("bootstrap-servers", null, Function.identity(), "host:port[,host:port]");
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new YamlException(root.source() + ": kafka.bootstrap-servers is required (host:port of "
          + "your brokers), in the file or as " + envName("kafka.bootstrap-servers"));
    }
    String applicationId = kafka.read("application-id", "tailstream", ConfigLoader::nonBlank,
        "a non-empty Kafka Streams application id");
    Map<String, String> properties = kafka.properties("properties");
    String groupInstanceId = kafka.read("group-instance-id", null, ConfigLoader::nonBlank,
        "a stable name per instance, e.g. the pod name");

    Section input = top.section("input", INPUT_KEYS);
    boolean keyed = input.read("keyed-by-trace-id", false, ConfigLoader::bool, "true or false");

    Encoding encoding = top.read("encoding", Encoding.OTLP_PROTO, Encoding::parse,
        "otlp_proto or otlp_json");

    Section stressSection = top.section("stress", STRESS_KEYS);
    DecisionSettings.Stress sd = DecisionSettings.Stress.defaults();
    DecisionSettings.Stress stress = new DecisionSettings.Stress(
        stressSection.read("max-buffered-bytes", sd.maxBufferedBytes(), s -> sizeIn(s, 16 * 1024, 1L << 40),
            Units.SIZE_FORMS),
        stressSection.read("high-watermark", sd.high(), Units::rate, Units.RATE_FORMS),
        stressSection.read("low-watermark", sd.low(), Units::rate, Units.RATE_FORMS),
        stressSection.read("heap-high-watermark", sd.heapHigh(), Units::rate, Units.RATE_FORMS),
        stressSection.read("sample", sd.sample(), Units::rate, Units.RATE_FORMS));
    if (stress.low() >= stress.high()) {
      throw new YamlException("stress.low-watermark (" + stress.low() + ") must be below stress.high-watermark ("
          + stress.high() + ")");
    }
    Section decision = top.section("decision", DECISION_KEYS);
    DecisionSettings decisionSettings = new DecisionSettings(
        decision.read("wait", Duration.ofSeconds(30), ConfigLoader::positiveDuration, Units.DURATION_FORMS),
        decision.read("after-root", Duration.ofSeconds(5), ConfigLoader::positiveDuration, Units.DURATION_FORMS),
        decision.read("idle", Duration.ofSeconds(10), ConfigLoader::positiveDuration, Units.DURATION_FORMS),
        decision.read("max-spans-per-trace", 10_000, s -> intIn(s, 1, 10_000_000),
            "an integer from 1 to 10000000"),
        decision.read("max-bytes-per-trace", 8L << 20, s -> sizeIn(s, 1024, 1L << 30),
            Units.SIZE_FORMS + ", from 1KiB to 1GiB"),
        decision.read("late-span-ttl", Duration.ofMinutes(10), ConfigLoader::atLeastOneSecond,
            Units.DURATION_FORMS + ", at least 1s"),
        decision.read("check-interval", Duration.ofSeconds(1), ConfigLoader::positiveDuration,
            Units.DURATION_FORMS),
        stress);

    Section topics = top.section("topics", TOPIC_KEYS);
    TopicSettings topicSettings = new TopicSettings(
        topics.read("input", "otlp_spans", ConfigLoader::topicName, "a topic name"),
        topics.read("output", "sampled_traces", ConfigLoader::topicName, "a topic name"),
        topics.read("dead-letter", "otlp_spans_dlq", ConfigLoader::topicName, "a topic name"),
        topics.read("control", "sampling_control", ConfigLoader::topicName, "a topic name"),
        topics.read("rates", "sampling_rates", ConfigLoader::topicName, "a topic name"),
        topics.read("create", true, ConfigLoader::bool, "true or false"),
        topics.read("partitions", 12, s -> intIn(s, 1, 10_000), "an integer from 1 to 10000"),
        (short) (int) topics.read("replication-factor", 1, s -> intIn(s, 1, 32),
            "an integer from 1 to 32"),
        topics.read("by-trace", TopicSettings.defaultByTrace(applicationId), ConfigLoader::topicName,
            "a topic name"),
        topics.read("by-trace-retention", TopicSettings.defaultByTraceRetention(decisionSettings),
            ConfigLoader::atLeastOneSecond, Units.DURATION_FORMS + ", at least 1s"));

    Section output = top.section("output", OUTPUT_KEYS);
    long maxRecordBytes = output.read("max-record-bytes", 1L << 20,
        s -> sizeIn(s, 16 * 1024, 64L << 20), Units.SIZE_FORMS + ", from 16KiB to 64MiB");

    String rules = top.read("rules", "rules.yaml", ConfigLoader::nonBlank, "a path to the rules file");

    AdaptSettings d = AdaptSettings.defaults();
    Section boosts = top.section("boosts", BOOST_KEYS);
    Section auto = top.section("auto-boost", AUTO_BOOST_KEYS);
    Section rates = top.section("rates", RATES_KEYS);
    AdaptSettings adapt = new AdaptSettings(
        boosts.read("max-factor", d.maxFactor(), s -> doubleIn(s, 1, 1_000_000), "a number of at least 1"),
        boosts.read("max-ttl", d.maxTtl(), ConfigLoader::positiveDuration, Units.DURATION_FORMS),
        boosts.read("max-concurrent", d.maxConcurrent(), s -> intIn(s, 1, 10_000), "an integer from 1 to 10000"),
        auto.read("enabled", d.autoEnabled(), ConfigLoader::bool, "true or false"),
        auto.read("interval", d.autoInterval(), ConfigLoader::positiveDuration, Units.DURATION_FORMS),
        auto.read("error-rate-factor", d.errorRateFactor(), s -> doubleIn(s, 1, 1000), "a number of at least 1"),
        auto.read("error-rate-floor", d.errorRateFloor(), Units::rate, Units.RATE_FORMS),
        auto.read("latency-factor", d.latencyFactor(), s -> doubleIn(s, 1, 1000), "a number of at least 1"),
        auto.read("latency-floor", d.latencyFloor(), Units::duration, Units.DURATION_FORMS),
        auto.read("min-traces", d.minTraces(), s -> intIn(s, 1, 1_000_000), "an integer of at least 1"),
        auto.read("sample", d.autoSample(), Units::rate, Units.RATE_FORMS),
        auto.read("ttl", d.autoTtl(), ConfigLoader::positiveDuration, Units.DURATION_FORMS),
        auto.read("cooldown", d.cooldown(), Units::duration, Units.DURATION_FORMS),
        rates.read("interval", d.ratesInterval(), ConfigLoader::positiveDuration, Units.DURATION_FORMS),
        rates.read("stats-interval", d.statsInterval(), ConfigLoader::positiveDuration, Units.DURATION_FORMS));
    Section admin = top.section("admin", ADMIN_KEYS);
    int adminPort = admin.read("port", 8080,
        s -> intIn(s, -1, 65535), "a port from 0 to 65535 (0: any free port), or -1 to turn it off");
    String adminBind = admin.read("bind", "0.0.0.0", ConfigLoader::nonBlank,
        "an address to listen on, e.g. 127.0.0.1 or 0.0.0.0");
    Duration shutdownTimeout = top.read("shutdown-timeout", Duration.ofSeconds(30),
        ConfigLoader::positiveDuration, Units.DURATION_FORMS);
    Section memory = top.section("memory", MEMORY_KEYS);
    long rocksCache = memory.read("rocksdb-cache", 128L << 20, s -> sizeIn(s, 8L << 20, 64L << 30),
        Units.SIZE_FORMS + ", from 8MiB");
    long rocksWrite = memory.read("rocksdb-write-buffers", 64L << 20, s -> sizeIn(s, 4L << 20, 32L << 30),
        Units.SIZE_FORMS + ", from 4MiB");
    if (rocksWrite > rocksCache) {
      throw memory.node.map(n -> n.error("rocksdb-write-buffers (" + rocksWrite + " bytes) must not exceed "
          + "rocksdb-cache (" + rocksCache + " bytes): write buffers are charged to the cache"))
          .orElseGet(() -> new YamlException("memory.rocksdb-write-buffers must not exceed memory.rocksdb-cache"));
    }
    long heapBuffer = memory.read("heap-buffer", 64L << 20, s -> sizeIn(s, 0, 64L << 30),
        Units.SIZE_FORMS + ", 0 to keep every buffered trace in RocksDB");
    Path rulesFile = baseDir == null ? Path.of(rules) : baseDir.resolve(rules).normalize();

    warnOnUnwiseSettings(decisionSettings, maxRecordBytes);
    warnOnUnusedEnvironment();
    TailstreamConfig config = new TailstreamConfig(
        new KafkaSettings(bootstrap.trim(), applicationId, properties, groupInstanceId),
        topicSettings, keyed, encoding, decisionSettings, maxRecordBytes, rulesFile, adapt, adminPort,
        adminBind, shutdownTimeout, rocksCache, rocksWrite, heapBuffer,
        TailstreamConfig.DEFAULT_DEAD_LETTER_RECORD_BYTES);
    checkKafkaProperties(config, kafka.node.flatMap(n -> n.get("properties")).orElse(root),
        env.containsKey(envName("kafka.properties")));
    return config;
  }

  /** Lets Kafka Streams validate the properties now, so that a bad one fails like a bad key. */
  private static void checkKafkaProperties(TailstreamConfig config, YamlNode where,
      boolean fromEnvToo) {
    try {
      new org.apache.kafka.streams.StreamsConfig(StreamsProperties.streams(config));
    } catch (org.apache.kafka.common.config.ConfigException e) {
      throw where.error("invalid Kafka setting" + (fromEnvToo ? " (in kafka.properties or "
          + envName("kafka.properties") + ")" : "") + ": " + e.getMessage());
    }
  }

  private static void warnOnUnwiseSettings(DecisionSettings d, long maxRecordBytes) {
    if (d.afterRoot().compareTo(d.maxWait()) > 0) {
      log.warn("decision.after-root ({}) is longer than decision.wait ({}): it never applies",
          Units.format(d.afterRoot()), Units.format(d.maxWait()));
    }
    if (d.idle().compareTo(d.maxWait()) > 0) {
      log.warn("decision.idle ({}) is longer than decision.wait ({}): it never applies",
          Units.format(d.idle()), Units.format(d.maxWait()));
    }
    if (maxRecordBytes > (1L << 20)) {
      log.warn("output.max-record-bytes is {} bytes, above Kafka's default 1 MiB message.max.bytes:"
          + " raise the topic's max.message.bytes and the consumers' fetch sizes to match",
          maxRecordBytes);
    }
  }

  private void warnOnUnusedEnvironment() {
    for (String name : env.keySet()) {
      if (name.startsWith(ENV_PREFIX) && !KNOWN_ENV.contains(name) && !name.equals("TAILSTREAM_OPTS")) {
        log.warn("environment variable {} matches no config key; it is ignored", name);
      }
    }
  }

  private static final Set<String> KNOWN_ENV = knownEnv();

  private static Set<String> knownEnv() {
    Set<String> names = new java.util.HashSet<>();
    for (String k : Set.of("encoding", "rules", "shutdown-timeout")) {
      names.add(envName(k));
    }
    Map<String, Set<String>> sections = Map.of("kafka", KAFKA_KEYS, "topics", TOPIC_KEYS,
        "input", INPUT_KEYS, "decision", DECISION_KEYS, "output", OUTPUT_KEYS, "boosts", BOOST_KEYS,
        "auto-boost", AUTO_BOOST_KEYS, "rates", RATES_KEYS, "admin", ADMIN_KEYS, "memory", MEMORY_KEYS);
    STRESS_KEYS.forEach(k -> names.add(envName("stress." + k)));
    sections.forEach((s, keys) -> keys.forEach(k -> names.add(envName(s + "." + k))));
    return Set.copyOf(names);
  }

  /** Whether an environment variable sets a config key (deployment manifests are checked with it). */
  public static boolean isConfigVariable(String name) {
    return KNOWN_ENV.contains(name);
  }

  /** {@code decision.after-root} → {@code TAILSTREAM_DECISION_AFTER_ROOT}. */
  public static String envName(String path) {
    return ENV_PREFIX + path.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** One mapping of the config (possibly absent), with env-aware typed reads. */
  private final class Section {
    private final String path;
    private final Optional<YamlNode> node;

    Section(String path, Optional<YamlNode> node) {
      this.path = path;
      this.node = node;
    }

    Section section(String key, Set<String> allowed) {
      Optional<YamlNode> child = node.flatMap(n -> n.get(key)).filter(n -> !n.isNull());
      child.ifPresent(c -> {
        if (!c.isMap()) {
          throw c.error("expected a mapping with keys " + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
        c.requireKeys(allowed);
      });
      return new Section(key, child);
    }

    <T> T read(String key, T defaultValue, Function<String, T> parser, String allowed) {
      String fullPath = path.isEmpty() ? key : path + "." + key;
      String envName = envName(fullPath);
      String fromEnv = env.get(envName);
      if (fromEnv != null) {
        try {
          return parser.apply(fromEnv);
        } catch (IllegalArgumentException e) {
          throw new YamlException("environment variable " + envName + ": " + fullPath
              + ": bad value '" + fromEnv + "': " + reason(e, allowed));
        }
      }
      Optional<YamlNode> value = node.flatMap(n -> n.get(key)).filter(n -> !n.isNull());
      if (value.isEmpty()) {
        return defaultValue;
      }
      String text = value.get().scalar();
      try {
        return parser.apply(text);
      } catch (IllegalArgumentException e) {
        throw value.get().error("bad value '" + text + "': " + reason(e, allowed));
      }
    }

    /**
     * A free-form mapping of strings; the environment variable of its path, when set, adds to it
     * and overrides it key by key, in Java properties form ({@code key=value}, one per line).
     */
    Map<String, String> properties(String key) {
      Optional<YamlNode> value = node.flatMap(n -> n.get(key)).filter(n -> !n.isNull());
      Map<String, String> out = new LinkedHashMap<>();
      value.ifPresent(v -> v.entries().forEach((k, n) -> {
        if (n.isNull()) {
          throw n.error("property '" + k + "' has no value");
        }
        out.put(k, n.scalar());
      }));
      String name = envName(path.isEmpty() ? key : path + "." + key);
      String fromEnv = env.get(name);
      if (fromEnv != null) {
        out.putAll(propertiesForm(name, fromEnv));
      }
      return out;
    }
  }

  /**
   * {@code key=value} lines as {@link Properties#load} reads them. Values are not repeated in
   * errors: this variable is where deployments put {@code sasl.jaas.config} from a Secret.
   */
  private static Map<String, String> propertiesForm(String variable, String text) {
    Properties parsed = new Properties();
    try {
      parsed.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new YamlException("environment variable " + variable + ": not in Java properties form "
          + "(key=value, one per line): " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : new java.util.TreeSet<>(parsed.stringPropertyNames())) {
      String v = parsed.getProperty(k);
      if (k.isBlank() || v.isBlank()) {
        throw new YamlException("environment variable " + variable + ": property '" + k
            + "' has " + (k.isBlank() ? "no name" : "no value")
            + "; expected key=value, one per line");
      }
      out.put(k, v);
    }
    return out;
  }

  private static String reason(IllegalArgumentException e, String allowed) {
    String message = e.getMessage();
    return message == null || message.isBlank() || e instanceof NumberFormatException
        ? "expected " + allowed : message;
  }

  private static String nonBlank(String s) {
    if (s.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return s.trim();
  }

  private static String topicName(String s) {
    if (!s.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw new IllegalArgumentException(
          "expected a Kafka topic name: 1 to 249 of letters, digits, '.', '_' and '-'");
    }
    return s;
  }

  private static boolean bool(String s) {
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("expected true or false");
    };
  }

  private static int intIn(String s, int min, int max) {
    long value;
    try {
      value = Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected an integer from " + min + " to " + max);
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException("expected an integer from " + min + " to " + max);
    }
    return (int) value;
  }

  private static double doubleIn(String s, double min, double max) {
    double value;
    try {
      value = Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a number from " + min + " to " + max);
    }
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException("expected a number from " + min + " to " + max);
    }
    return value;
  }

  private static long sizeIn(String s, long min, long max) {
    long value = Units.bytes(s);
    if (value < min || value > max) {
      throw new IllegalArgumentException("out of range: expected from " + min + " to " + max + " bytes");
    }
    return value;
  }

  private static Duration atLeastOneSecond(String s) {
    Duration d = Units.duration(s);
    if (d.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("expected at least 1s: decisions must be remembered "
          + "for late spans to follow them");
    }
    return d;
  }

  private static Duration positiveDuration(String s) {
    Duration d = Units.duration(s);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("expected a duration above zero, such as 500ms or 5s");
    }
    return d;
  }
}
