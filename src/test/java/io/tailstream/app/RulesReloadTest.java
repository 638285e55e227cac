package io.tailstream.app;

import static io.tailstream.testing.Spans.attr;
import static io.tailstream.testing.Spans.request;
import static io.tailstream.testing.Spans.resource;
import static io.tailstream.testing.Spans.span;
import static io.tailstream.testing.Spans.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.rules.RulesParser;
import io.tailstream.topology.Headers;
import io.tailstream.topology.TailstreamTopology;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Rules reload on a running topology, with the rules file mounted the way Kubernetes mounts a
 * ConfigMap: {@code rules.yaml -> ..data/rules.yaml}, {@code ..data -> ..<version>}, and an update
 * swaps the {@code ..data} symlink.
 */
class RulesReloadTest {
  private static final String ERRORS_ONLY = "rules:\n  - name: errors\n    keep: { error: true }\n";
  private static final String VIP_TOO = ERRORS_ONLY
      + "  - name: vip\n    keep: { attribute: { key: tenant, equals: vip, scope: root } }\n";

  @TempDir
  Path dir;

  private Path mount;
  private int versions;

  private void publish(String rules) throws Exception {
    Path version = Files.createDirectory(mount.resolve("..v" + (++versions)));
    Files.writeString(version.resolve("rules.yaml"), rules);
    Path tmp = mount.resolve("..data_tmp");
    Files.createSymbolicLink(tmp, version.getFileName());
    Files.move(tmp, mount.resolve("..data"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void validChangeAppliesToBufferedTracesAndInvalidChangeIsRejected() throws Exception {
    mount = Files.createDirectory(dir.resolve("config"));
    publish(ERRORS_ONLY);
    Path rulesFile = mount.resolve("rules.yaml");
    Files.createSymbolicLink(rulesFile, Path.of("..data/rules.yaml"));

    TailstreamConfig config = ConfigLoader.parse("kafka: { bootstrap-servers: unused:1 }\n"
        + "decision: { wait: 30s, after-root: 5s, idle: 10s }\n", "t.yaml", mount, Map.of());
    TailstreamMetrics metrics = new TailstreamMetrics();
    ActiveRules rules = new ActiveRules(Decider.compile(RulesParser.load(rulesFile)));
    String v1 = rules.current().version();
    RulesWatcher watcher = new RulesWatcher(rulesFile, Files.readString(rulesFile), rules, metrics);
    Properties props = new Properties();
    props.put("application.id", "reload");
    props.put("bootstrap.servers", "unused:1");
    props.put("state.dir", dir.resolve("state").toString());
    OtlpCodec codec = OtlpCodec.of(config.encoding());
    try (TopologyTestDriver driver = new TopologyTestDriver(
        TailstreamTopology.build(config, rules, metrics), props, Instant.parse("2026-01-01T00:00:00Z"))) {
      TestInputTopic<byte[], byte[]> in = driver.createInputTopic("otlp_spans",
          new ByteArraySerializer(), new ByteArraySerializer());
      TestOutputTopic<String, byte[]> out = driver.createOutputTopic("sampled_traces",
          new StringDeserializer(), new ByteArrayDeserializer());

      // Buffered under the old rules, which know nothing about tenants.
      in.pipeInput(null, codec.encode(request(resource("gateway", "http",
          span(traceId(1), 1, null, "POST /v1/predict", 0, 10).addAttributes(attr("tenant", "vip"))))));
      watcher.check();
      assertThat(rules.current().version()).isEqualTo(v1);

      publish(VIP_TOO);
      watcher.check();
      String v2 = rules.current().version();
      assertThat(v2).isNotEqualTo(v1);
      assertThat(metrics.rulesReloads()).isEqualTo(1);
      assertThat(metrics.registry().get("tailstream.rules.version").tag("version", v2).gauge().value())
          .as("the rules-version gauge follows the reload").isEqualTo(1.0);
      assertThat(metrics.registry().find("tailstream.rules.version").tag("version", v1).gauge()).isNull();

      driver.advanceWallClockTime(Duration.ofSeconds(6));
      List<TestRecord<String, byte[]>> kept = out.readRecordsToList();
      assertThat(kept).hasSize(1);
      assertThat(header(kept.get(0), Headers.RULE)).isEqualTo("vip");
      assertThat(header(kept.get(0), Headers.RULES_VERSION)).isEqualTo(v2);
      assertThat(metrics.factsRecomputedCount()).isEqualTo(1);

      publish("rules:\n  - name: broken\n    keep: { latency: soon }\n");
      watcher.check();
      assertThat(metrics.rulesReloadFailures()).isEqualTo(1);
      assertThat(rules.current().version()).isEqualTo(v2);
      in.pipeInput(null, codec.encode(request(resource("gateway", "http",
          span(traceId(2), 1, null, "POST /v1/predict", 0, 10).addAttributes(attr("tenant", "vip"))))));
      driver.advanceWallClockTime(Duration.ofSeconds(6));
      assertThat(out.readRecordsToList()).extracting(r -> header(r, Headers.RULE)).containsExactly("vip");
      assertThat(metrics.factsRecomputedCount()).as("facts computed under the rules in force").isEqualTo(1);
    }
  }

  @Test
  void aRecursiveAliasIsRefusedWithItsLineAndTheNextValidChangeIsStillApplied() throws Exception {
    Path rulesFile = dir.resolve("rules.yaml");
    Files.writeString(rulesFile, ERRORS_ONLY);
    TailstreamMetrics metrics = new TailstreamMetrics();
    ActiveRules rules = new ActiveRules(Decider.compile(RulesParser.load(rulesFile)));
    String v1 = rules.current().version();
    RulesWatcher watcher = new RulesWatcher(rulesFile, ERRORS_ONLY, rules, metrics);
    ListAppender<ILoggingEvent> logged = capture();
    // Scheduled the way TailstreamApp schedules it: a task that throws would be cancelled.
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    try {
      executor.scheduleWithFixedDelay(watcher::check, 0, 10, TimeUnit.MILLISECONDS);
      replace(rulesFile, "rules:\n  - name: loop\n    keep: &k { not: *k }\n");
      await(() -> metrics.rulesReloadFailures() == 1);
      assertThat(rules.current().version()).isEqualTo(v1);
      assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).contains("rules change rejected")
              .contains(rulesFile + ":3:21: not accepted: recursive alias *k"));

      replace(rulesFile, VIP_TOO);
      await(() -> !rules.current().version().equals(v1));
      assertThat(rules.current().ruleNames()).containsExactly("errors", "vip");
      assertThat(metrics.rulesReloads()).isEqualTo(1);
      assertThat(metrics.rulesReloadFailures()).isEqualTo(1);
    } finally {
      executor.shutdownNow();
      release(logged);
    }
  }

  @Test
  void anyThrowableFromACandidateFileIsLoggedCountedAndWatchingGoesOn() throws Exception {
    Path rulesFile = dir.resolve("rules.yaml");
    Files.writeString(rulesFile, ERRORS_ONLY);
    TailstreamMetrics metrics = new TailstreamMetrics();
    ActiveRules rules = new ActiveRules(Decider.compile(RulesParser.load(rulesFile)));
    String v1 = rules.current().version();
    List<Throwable> provoked = List.of(new StackOverflowError(), new OutOfMemoryError("test"),
        new AssertionError("test"), new IllegalStateException("test"));
    int[] next = {0};
    RulesWatcher watcher = new RulesWatcher(rulesFile, ERRORS_ONLY, rules, metrics, (text, source) -> {
      if (text.startsWith("# provoke")) {
        Throwable t = provoked.get(next[0]++);
        if (t instanceof Error e) {
          throw e;
        }
        throw (RuntimeException) t;
      }
      return RulesParser.parse(text, source);
    });
    ListAppender<ILoggingEvent> logged = capture();
    try {
      for (int i = 0; i < provoked.size(); i++) {
        replace(rulesFile, "# provoke " + i + "\n" + ERRORS_ONLY);
        watcher.check();
        watcher.check(); // the same refused text is not parsed again
      }
      assertThat(metrics.rulesReloadFailures()).isEqualTo(provoked.size());
      assertThat(rules.current().version()).isEqualTo(v1);
      assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.ERROR)
          .extracting(e -> e.getThrowableProxy().getClassName())
          .containsExactly(StackOverflowError.class.getName(), OutOfMemoryError.class.getName(),
              AssertionError.class.getName(), IllegalStateException.class.getName());

      replace(rulesFile, VIP_TOO);
      watcher.check();
      assertThat(rules.current().ruleNames()).containsExactly("errors", "vip");
      assertThat(metrics.rulesReloads()).isEqualTo(1);
    } finally {
      release(logged);
    }
  }

  /** Replaces the file in one step, so that a watcher never reads half of it. */
  private static void replace(Path file, String text) throws Exception {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 20 s").isLessThan(end);
      Thread.sleep(10);
    }
  }

  private static ListAppender<ILoggingEvent> capture() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(RulesWatcher.class)).addAppender(appender);
    return appender;
  }

  private static void release(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(RulesWatcher.class)).detachAppender(appender);
  }

  private static String header(TestRecord<String, byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
