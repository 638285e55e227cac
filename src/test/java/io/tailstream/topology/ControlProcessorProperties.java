package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostMessages;
import io.tailstream.adapt.BoostTable;
import io.tailstream.adapt.ControlRefusal.Reason;
import io.tailstream.metrics.TailstreamMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.slf4j.LoggerFactory;

/**
 * Any record on the control topic — random JSON of any shape and types, random bytes, null and
 * odd keys, random headers, timestamps from the epoch to ten years ahead — is applied or refused
 * with exactly one counted reason; nothing is thrown out of the control processor, nothing
 * refused is stored, and no boost outlasts {@code boosts.max-ttl} from the moment it was read.
 */
class ControlProcessorProperties {
  private static final BoostMessages.Limits LIMITS = new BoostMessages.Limits(10, Duration.ofHours(1), 3);
  private static final long MAX_TTL_MS = LIMITS.maxTtl().toMillis();
  private static final long EPOCH_2027 = 1_800_000_000_000L;
  private static final List<String> IDS = List.of("inc-1", "inc-2", "auto-service-ranker", "b.4");
  private static final Gson GSON = new GsonBuilder().serializeNulls().create();

  /** One control record and how long after the previous one it is read. */
  record ControlRecord(String key, byte[] value, long timestamp, int headers, long readAfterMs) {
    @Override
    public String toString() {
      return "key=" + key + " ts=" + timestamp + " after=" + readAfterMs + " value="
          + (value == null ? "null" : new String(value, StandardCharsets.UTF_8));
    }
  }

  @Property(tries = 300)
  void anyRecordIsAppliedOrRefusedWithOneReasonAndNoBoostOutlastsMaxTtl(
      @ForAll("sequences") List<ControlRecord> records) throws Exception {
    Path dir = Files.createTempDirectory("control-props");
    MockProcessorContext<Void, Void> context = new MockProcessorContext<>(new Properties(),
        new TaskId(0, 0), dir.toFile());
    TimestampedKeyValueStore<String, byte[]> store = Stores.timestampedKeyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(StoreNames.CONTROL), Serdes.String(), Serdes.ByteArray())
        .withLoggingDisabled().build();
    store.init(context.getStateStoreContext(), store);
    context.addStateStore(store);
    BoostTable boosts = new BoostTable(LIMITS.maxConcurrent());
    TailstreamMetrics metrics = new TailstreamMetrics();
    ControlProcessor processor = new ControlProcessor(boosts, LIMITS, metrics);
    long now = EPOCH_2027;
    context.setCurrentSystemTimeMs(now);
    processor.init(context);
    Statistics.label("outcome").coverage(c -> {
      c.check("applied: active").percentage(p -> p > 2);
      c.check("applied: not active").percentage(p -> p > 1);
      c.check("refused no_key").percentage(p -> p > 5);
      c.check("refused invalid").percentage(p -> p > 5);
      c.check("refused not_json").percentage(p -> p > 5);
      c.check("refused out_of_bounds").percentage(p -> p > 0.2);
    });
    // Thousands of refusals: their log lines are checked in ControlTopicTest, not printed here.
    Logger log = (Logger) LoggerFactory.getLogger(ControlProcessor.class);
    Level level = log.getLevel();
    log.setLevel(Level.ERROR);
    try {
      for (ControlRecord r : records) {
        now += r.readAfterMs();
        context.setCurrentSystemTimeMs(now);
        long refusedBefore = metrics.controlRejectedCount();
        Map<Reason, Long> reasonsBefore = byReason(metrics);
        RecordHeaders headers = new RecordHeaders();
        for (int h = 0; h < r.headers(); h++) {
          headers.add("h" + h, new byte[h]);
        }
        processor.process(new Record<>(r.key(), r.value(), r.timestamp(), headers));

        long refused = metrics.controlRejectedCount() - refusedBefore;
        Statistics.label("outcome").collect(outcome(r, refused, reasonsBefore, metrics, boosts, now));
        assertThat(refused).as("refusals counted for %s", r).isBetween(0L, 1L);
        assertThat(metrics.controlRejectedCount(Reason.INTERNAL)).as("internal failures").isZero();
        if (r.key() == null) {
          assertThat(refused).as("a keyless record is refused").isEqualTo(1);
        } else if (refused == 0) {
          appliedAsAsked(r, boosts, store, now);
        }
        long t = now;
        assertThat(boosts.active(now)).as("after %s", r).hasSizeLessThanOrEqualTo(LIMITS.maxConcurrent())
            .allSatisfy(b -> assertThat(b.expiresAtMs() - t).isLessThanOrEqualTo(MAX_TTL_MS));
      }
    } finally {
      log.setLevel(level);
      store.close();
    }
  }

  private static Map<Reason, Long> byReason(TailstreamMetrics metrics) {
    Map<Reason, Long> counts = new EnumMap<>(Reason.class);
    for (Reason reason : Reason.values()) {
      counts.put(reason, metrics.controlRejectedCount(reason));
    }
    return counts;
  }

  private static String outcome(ControlRecord r, long refused, Map<Reason, Long> before,
      TailstreamMetrics metrics, BoostTable boosts, long now) {
    if (refused > 0) {
      Map<Reason, Long> after = byReason(metrics);
      return "refused " + before.keySet().stream().filter(k -> !after.get(k).equals(before.get(k)))
          .map(Reason::label).findFirst().orElse("?");
    }
    return boosts.active(now).stream().anyMatch(b -> b.id().equals(r.key())) ? "applied: active" : "applied: not active";
  }

  /** The table and the store say what the applied record said. */
  private static void appliedAsAsked(ControlRecord r, BoostTable boosts, TimestampedKeyValueStore<String,
      byte[]> store, long now) {
    List<String> active = boosts.active(now).stream().map(Boost::id).toList();
    if (r.value() == null) {
      assertThat(active).as("cancelled by a tombstone").doesNotContain(r.key());
      assertThat(store.get(r.key())).isNull();
      return;
    }
    assertThat(store.get(r.key())).as("stored").isNotNull();
    assertThat(store.get(r.key()).value()).isEqualTo(r.value());
    BoostMessages.Command c = BoostMessages.parse(r.key(), r.value(), r.timestamp(), now, LIMITS);
    if (c instanceof BoostMessages.Start s && !s.boost().expired(now)) {
      assertThat(active).as("applied").contains(r.key());
    } else {
      assertThat(active).as("cancelled or already over").doesNotContain(r.key());
    }
  }

  @Provide
  Arbitrary<List<ControlRecord>> sequences() {
    return Arbitraries.randomValue(ControlProcessorProperties::record).list().ofMinSize(1).ofMaxSize(25);
  }

  static ControlRecord record(Random random) {
    String key = key(random);
    byte[] value;
    int kind = random.nextInt(10);
    if (kind == 0) {
      value = null;
    } else if (kind <= 2) {
      value = new byte[random.nextInt(300)];
      random.nextBytes(value);
    } else {
      value = GSON.toJson(message(random, key)).getBytes(StandardCharsets.UTF_8);
    }
    long timestamp = switch (random.nextInt(20)) {
      case 0 -> 0;
      case 1 -> Long.MAX_VALUE;
      case 2, 3, 4 -> EPOCH_2027 + (long) (random.nextDouble() * Duration.ofDays(3650).toMillis()); // ahead
      case 5, 6, 7, 8, 9 -> EPOCH_2027 - (long) (random.nextDouble() * 3 * MAX_TTL_MS); // a replay
      default -> EPOCH_2027 - (long) (random.nextDouble() * MAX_TTL_MS / 4); // just written
    };
    long readAfter = random.nextInt(4) == 0 ? 0 : (long) (random.nextDouble() * MAX_TTL_MS / 4);
    return new ControlRecord(key, value, timestamp, random.nextInt(3), readAfter);
  }

  private static String key(Random random) {
    return switch (random.nextInt(10)) {
      case 0, 1 -> null;
      case 2 -> "";
      case 3 -> randomText(random, 1 + random.nextInt(200));
      default -> IDS.get(random.nextInt(IDS.size()));
    };
  }

  /** A control message: often well formed, each field often of the wrong type or value. */
  private static Map<String, Object> message(Random random, String key) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (random.nextInt(3) == 0) { // as the CLI or an operator writes it
      m.put("action", "boost");
      m.put("scope", Map.of("service", "ranker"));
      m.put("sample", "50%");
      m.put("ttl", "30m");
      return m;
    }
    m.put("action", pick(random, "boost", "boost", "boost", "cancel", anything(random, 2)));
    if (random.nextInt(3) == 0) {
      m.put("id", random.nextBoolean() && key != null ? key : pick(random, IDS.get(0), anything(random, 2)));
    }
    if (random.nextBoolean()) {
      Map<String, Object> scope = new LinkedHashMap<>();
      for (String k : List.of("service", "model", "rule", "team")) {
        if (random.nextInt(3) == 0) {
          scope.put(k, pick(random, "ranker", "baseline", anything(random, 2)));
        }
      }
      m.put("scope", random.nextInt(8) == 0 ? anything(random, 2) : scope);
    }
    switch (random.nextInt(4)) {
      case 0 -> m.put("sample", pick(random, "50%", "0.2", 0.05, "0%", "500%", anything(random, 2)));
      case 1 -> m.put("factor", pick(random, 2, 4.5, 10, 11, 1, anything(random, 2)));
      case 2 -> m.put("keep-all", pick(random, true, false, anything(random, 2)));
      default -> {
        if (random.nextBoolean()) {
          m.put("sample", "10%");
          m.put("factor", 2);
        }
      }
    }
    if (random.nextInt(4) == 0) {
      m.put("expires-at", pick(random, EPOCH_2027 + random.nextInt((int) MAX_TTL_MS),
          EPOCH_2027 + (long) (random.nextDouble() * Duration.ofDays(3650).toMillis()), anything(random, 2)));
    } else if (random.nextInt(5) > 0) {
      m.put("ttl", pick(random, "30m", "1h", "90m", "0s", "5", anything(random, 2)));
    }
    for (String k : List.of("reason", "by", "auto", "colour")) {
      if (random.nextInt(6) == 0) {
        m.put(k, pick(random, "x", true, anything(random, 2)));
      }
    }
    return m;
  }

  /** Any JSON value: null, a boolean, a number of any size, a string, an array or an object. */
  private static Object anything(Random random, int depth) {
    switch (random.nextInt(depth > 0 ? 7 : 5)) {
      case 0:
        return null;
      case 1:
        return random.nextBoolean();
      case 2:
        return pick(random, 0, -1, random.nextLong(), random.nextDouble() * 1e300, 1.5, -0.0);
      case 3:
        return randomText(random, random.nextInt(20));
      case 4:
        return pick(random, "50%", "30m", "", " ", "NaN", "1e400");
      case 5: {
        List<Object> list = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
          list.add(anything(random, depth - 1));
        }
        return list;
      }
      default: {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = random.nextInt(3); i > 0; i--) {
          map.put(randomText(random, 3), anything(random, depth - 1));
        }
        return map;
      }
    }
  }

  private static Object pick(Random random, Object... choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static String randomText(Random random, int length) {
    StringBuilder s = new StringBuilder();
    String alphabet = "aZ09.-_:{}[]\" \n\t\\%é€\u0000\u2028";
    for (int i = 0; i < length; i++) {
      s.append(random.nextInt(4) == 0 ? (char) random.nextInt(0xD800) : alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }
}
