package io.tailstream.topology;

import static io.tailstream.testing.Spans.request;
import static io.tailstream.testing.Spans.resource;
import static io.tailstream.testing.Spans.span;
import static io.tailstream.testing.Spans.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tailstream.adapt.Boost;
import io.tailstream.adapt.ControlRefusal.Reason;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.RulesParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The control topic through the real global store ({@link TopologyTestDriver}): records that
 * used to throw out of it (and so stop every instance) are refused and counted by reason, and
 * the store goes on applying the next ones.
 */
class ControlTopicTest {
  private static final Instant START = Instant.parse("2026-11-25T10:00:00Z");
  private static final String RULES = """
      rules:
        - name: baseline
          sample: 0%
      """;

  @TempDir
  Path stateDir;

  private TopologyTestDriver driver;
  private TestInputTopic<String, byte[]> control;
  private TestInputTopic<byte[], byte[]> input;
  private TestOutputTopic<String, byte[]> output;
  private TailstreamMetrics metrics;
  private ActiveRules rules;
  private OtlpCodec codec;

  @BeforeEach
  void start() {
    TailstreamConfig config = ConfigLoader.parse("""
        kafka: { bootstrap-servers: unused:9092, application-id: ts-test }
        decision: { wait: 30s, after-root: 5s, idle: 10s, check-interval: 1s }
        """, "test.yaml", Path.of("."), Map.of());
    metrics = new TailstreamMetrics();
    codec = OtlpCodec.of(config.encoding());
    rules = new ActiveRules(Decider.compile(RulesParser.parse(RULES, "rules.yaml")));
    Properties props = new Properties();
    props.put("application.id", "ts-test");
    props.put("bootstrap.servers", "unused:9092");
    props.put("state.dir", stateDir.toString());
    driver = new TopologyTestDriver(TailstreamTopology.build(config, rules, metrics), props, START);
    control = driver.createInputTopic(config.topics().control(), new StringSerializer(),
        new ByteArraySerializer());
    input = driver.createInputTopic(config.topics().input(), new ByteArraySerializer(),
        new ByteArraySerializer());
    output = driver.createOutputTopic(config.topics().output(), new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  @AfterEach
  void close() {
    driver.close();
  }

  private void pipe(String key, String json, Instant timestamp) {
    control.pipeInput(new TestRecord<>(key, json == null ? null : json.getBytes(StandardCharsets.UTF_8),
        new RecordHeaders(), timestamp));
  }

  private List<String> active() {
    return rules.current().boosts().active(now()).stream().map(Boost::id).toList();
  }

  private long now() {
    return START.toEpochMilli() + elapsed.toMillis();
  }

  private Duration elapsed = Duration.ZERO;

  private void advance(Duration d) {
    elapsed = elapsed.plus(d);
    driver.advanceWallClockTime(d);
  }

  private double scraped(Reason reason) {
    return metrics.registry().get("tailstream.control.rejected").tag("reason", reason.label())
        .functionCounter().count();
  }

  @Test
  void aKeylessBoostFromAPlainConsoleProducerIsRefusedAndTheNextBoostStillApplies() {
    pipe(null, "{\"action\":\"boost\",\"id\":\"inc-1\",\"keep-all\":true,\"ttl\":\"10m\"}", START);
    pipe(null, null, START);
    assertThat(metrics.controlRejectedCount(Reason.NO_KEY)).isEqualTo(2);
    assertThat(scraped(Reason.NO_KEY)).isEqualTo(2.0);
    assertThat(active()).isEmpty();

    pipe("inc-2", "{\"action\":\"boost\",\"scope\":{\"service\":\"ranker\"},\"keep-all\":true,\"ttl\":\"10m\"}",
        START);
    assertThat(active()).containsExactly("inc-2");
    byte[] ranker = traceId(40);
    input.pipeInput(null, codec.encode(request(resource("ranker", "s", span(ranker, 1, null, "GET /rank", 0, 5)))));
    advance(Duration.ofSeconds(6));
    assertThat(output.readRecordsToList()).extracting(TestRecord::key).containsExactly(TraceIds.hex(ranker));
  }

  @Test
  void nullEmptyAndWronglyTypedFieldsAndRandomBytesAreRefusedByReason() {
    String boost = "{\"action\":\"boost\",\"ttl\":\"10m\",";
    for (String json : List.of(boost + "\"sample\":null}", boost + "\"keep-all\":null}",
        boost + "\"keep-all\":{}}", boost + "\"keep-all\":[]}", boost + "\"keep-all\":true,\"auto\":null}",
        boost + "\"keep-all\":true,\"auto\":{}}", boost + "\"keep-all\":true,\"auto\":[]}")) {
      pipe("k", json, START);
    }
    control.pipeInput(new TestRecord<>("k", new byte[] {(byte) 0xff, 0, (byte) 0xc3, 0x28}, START));
    pipe("k", boost + "\"keep-all\":true,\"reason\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}", START);
    pipe("k", "{\"action\":\"boost\",\"factor\":1e9,\"ttl\":\"10m\"}", START);
    assertThat(metrics.controlRejectedCount(Reason.INVALID)).isEqualTo(7);
    assertThat(metrics.controlRejectedCount(Reason.NOT_JSON)).isEqualTo(2);
    assertThat(metrics.controlRejectedCount(Reason.OUT_OF_BOUNDS)).isEqualTo(1);
    assertThat(metrics.controlRejectedCount(Reason.INTERNAL)).isZero();
    assertThat(active()).isEmpty();

    pipe("k", boost + "\"keep-all\":true}", START);
    assertThat(active()).containsExactly("k");
  }

  @Test
  void eachRefusalIsLoggedWithTheKeyTheReasonAndWhy() {
    Logger log = (Logger) LoggerFactory.getLogger(ControlProcessor.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    log.addAppender(lines);
    try {
      pipe(null, "{\"action\":\"boost\",\"id\":\"inc-1\",\"keep-all\":true,\"ttl\":\"10m\"}", START);
      pipe("inc-2", "{\"action\":\"boost\",\"sample\":null,\"ttl\":\"10m\"}", START);
      pipe("inc\n2026-11-25 INFO forged line", null, START.plus(Duration.ofDays(1)));
      pipe("inc\n2026-11-25 INFO forged line", "{}", START);
    } finally {
      log.detachAppender(lines);
    }
    assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
        "control message (no key) refused (no_key): no record key; the key must be the boost id "
            + "(kafka-console-producer: --property parse.key=true --property key.separator='|', then "
            + "inc-1|{...}), because records without one are skipped when an instance rebuilds its boosts",
        "control message 'inc-2' refused (invalid): 'sample' must not be null",
        "boost 'inc\\u000a2026-11-25 INFO forged line' cancelled",
        "control message 'inc\\u000a2026-11-25 INFO forged line' refused (invalid): 'id' must be 1 to 128 "
            + "letters, digits, '.', '_', ':' or '-', got 'inc\\u000a2026-11-25 INFO forged line'");
  }

  @Test
  void aRecordStampedInTheFutureBoostsForItsTtlFromWhenItIsRead() {
    pipe("inc-3", "{\"action\":\"boost\",\"keep-all\":true,\"ttl\":\"1m\"}", START.plus(Duration.ofDays(3650)));
    assertThat(active()).containsExactly("inc-3");
    advance(Duration.ofSeconds(61));
    assertThat(active()).as("a minute after it was read").isEmpty();
  }
}
