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

  private static final Set<String> TOP_KEYS = ConfigKeys.topLevel();
  private static final Map<String, Set<String>> SECTION_KEYS = ConfigKeys.sections();

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

    Section kafka = top.section("kafka");
    String bootstrap = kafka.read(ConfigKeys.BOOTSTRAP_SERVERS);
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new YamlException(root.source() + ": kafka.bootstrap-servers is required (host:port of "
          + "your brokers), in the file or as " + envName("kafka.bootstrap-servers"));
    }
    String applicationId = kafka.read(ConfigKeys.APPLICATION_ID);
    Map<String, String> properties = kafka.properties(ConfigKeys.KAFKA_PROPERTIES.name());
    String groupInstanceId = kafka.read(ConfigKeys.GROUP_INSTANCE_ID);

    boolean keyed = top.section("input").read(ConfigKeys.KEYED_BY_TRACE_ID);
    Encoding encoding = top.read(ConfigKeys.ENCODING);

    Section stressSection = top.section("stress");
    DecisionSettings.Stress stress = new DecisionSettings.Stress(
        stressSection.read(ConfigKeys.STRESS_MAX_BUFFERED_BYTES),
        stressSection.read(ConfigKeys.STRESS_HIGH),
        stressSection.read(ConfigKeys.STRESS_LOW),
        stressSection.read(ConfigKeys.STRESS_HEAP_HIGH),
        stressSection.read(ConfigKeys.STRESS_SAMPLE));
    if (stress.low() >= stress.high()) {
      throw new YamlException("stress.low-watermark (" + stress.low() + ") must be below stress.high-watermark ("
          + stress.high() + ")");
    }
    Section decision = top.section("decision");
    DecisionSettings decisionSettings = new DecisionSettings(
        decision.read(ConfigKeys.WAIT),
        decision.read(ConfigKeys.AFTER_ROOT),
        decision.read(ConfigKeys.IDLE),
        decision.read(ConfigKeys.MAX_SPANS_PER_TRACE),
        decision.read(ConfigKeys.MAX_BYTES_PER_TRACE),
        decision.read(ConfigKeys.LATE_SPAN_TTL),
        decision.read(ConfigKeys.CHECK_INTERVAL),
        decision.read(ConfigKeys.DELIVERY_SLACK),
        stress);

    Section topics = top.section("topics");
    String byTrace = topics.read(ConfigKeys.BY_TRACE_TOPIC);
    Duration byTraceRetention = topics.read(ConfigKeys.BY_TRACE_RETENTION);
    TopicSettings topicSettings = new TopicSettings(
        topics.read(ConfigKeys.INPUT_TOPIC),
        topics.read(ConfigKeys.OUTPUT_TOPIC),
        topics.read(ConfigKeys.DEAD_LETTER_TOPIC),
        topics.read(ConfigKeys.CONTROL_TOPIC),
        topics.read(ConfigKeys.RATES_TOPIC),
        topics.read(ConfigKeys.CREATE_TOPICS),
        topics.read(ConfigKeys.PARTITIONS),
        (short) (int) topics.read(ConfigKeys.REPLICATION_FACTOR),
        byTrace != null ? byTrace : TopicSettings.defaultByTrace(applicationId),
        byTraceRetention != null ? byTraceRetention : TopicSettings.defaultByTraceRetention(decisionSettings));

    Section output = top.section("output");
    long maxRecordBytes = output.read(ConfigKeys.MAX_RECORD_BYTES);
    AttributeScope decisionAttributes = output.read(ConfigKeys.DECISION_ATTRIBUTES);
    String rules = top.read(ConfigKeys.RULES);

    Section boosts = top.section("boosts");
    Section auto = top.section("auto-boost");
    Section rates = top.section("rates");
    AdaptSettings adapt = new AdaptSettings(
        boosts.read(ConfigKeys.BOOST_MAX_FACTOR),
        boosts.read(ConfigKeys.BOOST_MAX_TTL),
        boosts.read(ConfigKeys.BOOST_MAX_CONCURRENT),
        auto.read(ConfigKeys.AUTO_ENABLED),
        auto.read(ConfigKeys.AUTO_INTERVAL),
        auto.read(ConfigKeys.AUTO_ERROR_RATE_FACTOR),
        auto.read(ConfigKeys.AUTO_ERROR_RATE_FLOOR),
        auto.read(ConfigKeys.AUTO_LATENCY_FACTOR),
        auto.read(ConfigKeys.AUTO_LATENCY_FLOOR),
        auto.read(ConfigKeys.AUTO_MIN_TRACES),
        auto.read(ConfigKeys.AUTO_SAMPLE),
        auto.read(ConfigKeys.AUTO_TTL),
        auto.read(ConfigKeys.AUTO_COOLDOWN),
        rates.read(ConfigKeys.RATES_INTERVAL),
        rates.read(ConfigKeys.RATES_STATS_INTERVAL));
    Section admin = top.section("admin");
    int adminPort = admin.read(ConfigKeys.ADMIN_PORT);
    String adminBind = admin.read(ConfigKeys.ADMIN_BIND);
    Duration shutdownTimeout = top.read(ConfigKeys.SHUTDOWN_TIMEOUT);
    Section memory = top.section("memory");
    long rocksCache = memory.read(ConfigKeys.ROCKSDB_CACHE);
    long rocksWrite = memory.read(ConfigKeys.ROCKSDB_WRITE_BUFFERS);
    if (rocksWrite > rocksCache) {
      throw memory.node.map(n -> n.error("rocksdb-write-buffers (" + rocksWrite + " bytes) must not exceed "
          + "rocksdb-cache (" + rocksCache + " bytes): write buffers are charged to the cache"))
          .orElseGet(() -> new YamlException("memory.rocksdb-write-buffers must not exceed memory.rocksdb-cache"));
    }
    long heapBuffer = memory.read(ConfigKeys.HEAP_BUFFER);
    Section stagesSection = top.section("stages");
    StageSettings stages = new StageSettings(
        stagesSection.read(ConfigKeys.STAGES_ENABLED),
        stagesSection.read(ConfigKeys.STAGES_MAPPING),
        stagesSection.read(ConfigKeys.STAGES_MAX_SERVICES),
        stagesSection.read(ConfigKeys.STAGES_MAX_MODELS),
        stagesSection.read(ConfigKeys.STAGES_MAX_SERIES));
    Path rulesFile = baseDir == null ? Path.of(rules) : baseDir.resolve(rules).normalize();

    warnOnUnwiseSettings(decisionSettings, maxRecordBytes);
    warnOnUnusedEnvironment();
    TailstreamConfig config = new TailstreamConfig(
        new KafkaSettings(bootstrap.trim(), applicationId, properties, groupInstanceId),
        topicSettings, keyed, encoding, decisionSettings, maxRecordBytes, rulesFile, adapt, adminPort,
        adminBind, shutdownTimeout, rocksCache, rocksWrite, heapBuffer,
        TailstreamConfig.DEFAULT_DEAD_LETTER_RECORD_BYTES, decisionAttributes, stages);
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
    ConfigKeys.ALL.forEach(k -> names.add(k.envName()));
    return Set.copyOf(names);
  }

  /** Whether an environment variable sets a config key (deployment manifests are checked with it). */
  public static boolean isConfigVariable(String name) {
    return KNOWN_ENV.contains(name);
  }

  /** {@code decision.after-root} → {@code TAILSTREAM_DECISION_AFTER_ROOT}. */
  public static String envName(String path) {
    return ConfigKey.envName(path);
  }

  /** One mapping of the config (possibly absent), with env-aware typed reads. */
  private final class Section {
    private final String path;
    private final Optional<YamlNode> node;

    Section(String path, Optional<YamlNode> node) {
      this.path = path;
      this.node = node;
    }

    Section section(String key) {
      Set<String> allowed = SECTION_KEYS.get(key);
      Optional<YamlNode> child = node.flatMap(n -> n.get(key)).filter(n -> !n.isNull());
      child.ifPresent(c -> {
        if (!c.isMap()) {
          throw c.error("expected a mapping with keys " + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
        c.requireKeys(allowed);
      });
      return new Section(key, child);
    }

    <T> T read(ConfigKey<T> configKey) {
      if (!configKey.section().equals(path)) {
        // Read from another section's node, the key would silently take its default.
        throw new IllegalStateException(configKey.path() + " read from section '" + path + "'");
      }
      String key = configKey.name();
      T defaultValue = configKey.defaultValue();
      Function<String, T> parser = configKey.parser();
      String allowed = configKey.allowed();
      String fullPath = configKey.path();
      String envName = configKey.envName();
      String fromEnv = env.get(envName);
      if (fromEnv != null) {
        try {
          return parser.apply(fromEnv);
        } catch (YamlException e) {
          throw new YamlException("environment variable " + envName + ": " + fullPath + ": "
              + e.getMessage());
        } catch (IllegalArgumentException e) {
          throw new YamlException("environment variable " + envName + ": " + fullPath
              + ": bad value '" + fromEnv + "': " + reason(e, allowed));
        }
      }
      Optional<YamlNode> value = node.flatMap(n -> n.get(key)).filter(n -> !n.isNull());
      if (value.isEmpty()) {
        return defaultValue;
      }
      if (configKey.nodeParser() != null) {
        return configKey.nodeParser().apply(value.get());
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
}
