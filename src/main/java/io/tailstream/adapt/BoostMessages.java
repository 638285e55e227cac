package io.tailstream.adapt;

import static io.tailstream.adapt.ControlRefusal.show;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.tailstream.adapt.ControlRefusal.Reason;
import io.tailstream.yaml.Units;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The control topic's message format (JSON, key = boost id):
 * <pre>
 * {"action":"boost","id":"inc-4211","scope":{"service":"ranker","model":"ranker-v3","rule":"baseline"},
 *  "sample":"50%","ttl":"30m","reason":"INC-4211 ranker latency","by":"oncall"}
 * {"action":"cancel","id":"inc-4211"}          (a tombstone cancels too)
 * </pre>
 * Parsing validates against the configured bounds; anything else — any bytes, any field of any
 * type — is refused with a {@link ControlRefusal} that says why, and never applied.
 *
 * <p>Time: a boost counts from its record's timestamp, so replaying the topic after a restart
 * does not extend it, but never from later than the moment it is read: a record stamped in the
 * future (a producer's clock ahead, or a forged timestamp) cannot make a boost outlast
 * {@code boosts.max-ttl}. An {@code expires-at} is checked against the record's timestamp (the
 * writer's clock, so that small skews between hosts do not refuse it) and then capped at
 * {@code max-ttl} after that start.
 */
public final class BoostMessages {
  /** What a control message asks for. */
  public sealed interface Command {
    String id();
  }

  public record Start(Boost boost) implements Command {
    @Override
    public String id() {
      return boost.id();
    }
  }

  public record Cancel(String id) implements Command {}

  /** Bounds from config. */
  public record Limits(double maxFactor, Duration maxTtl, int maxConcurrent) {}

  private static final Set<String> KEYS = Set.of("action", "id", "scope", "sample", "factor",
      "keep-all", "ttl", "expires-at", "reason", "by", "auto");
  private static final Set<String> SCOPE_KEYS = Set.of("service", "model", "rule");
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** Control messages are small; larger ones are refused unread. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;

  private BoostMessages() {}

  /** {@link #parse(String, byte[], long, long, Limits)} of a record written and read at {@code nowMs}. */
  public static Command parse(String key, byte[] value, long nowMs, Limits limits) {
    return parse(key, value, nowMs, nowMs, limits);
  }

  /**
   * Parses one control record.
   *
   * <p>A record without a key is refused: Kafka Streams skips keyless records when it rebuilds
   * the control store at start, so a keyless boost would apply on the running instances only and
   * be gone after their next restart (and never reach an instance started later).
   *
   * @param writtenAtMs the record's timestamp
   * @param readAtMs when this instance reads it
   * @throws ControlRefusal with the reason, for anything invalid or out of bounds
   */
  public static Command parse(String key, byte[] value, long writtenAtMs, long readAtMs, Limits limits) {
    if (key == null) {
      throw new ControlRefusal(Reason.NO_KEY, "no record key; the key must be the boost id "
          + "(kafka-console-producer: --property parse.key=true --property key.separator='|', "
          + "then inc-1|{...}), because records without one are skipped when an instance rebuilds its boosts");
    }
    if (value != null && value.length > MAX_MESSAGE_BYTES) {
      throw new ControlRefusal(Reason.TOO_LARGE, "message of " + value.length + " bytes; at most "
          + MAX_MESSAGE_BYTES + " are read");
    }
    if (value == null) {
      if (key.isBlank()) {
        throw new ControlRefusal(Reason.INVALID, "a tombstone with a blank key cancels nothing");
      }
      return new Cancel(key);
    }
    if (writtenAtMs < 0) {
      throw new ControlRefusal(Reason.INVALID, "the record has no timestamp (" + writtenAtMs + ")");
    }
    JsonObject o = object(value);
    for (String k : o.keySet()) {
      if (!KEYS.contains(k)) {
        throw invalid("unknown field " + show(k) + "; allowed: " + new TreeSet<>(KEYS));
      }
    }
    String action = string(o, "action");
    String id = string(o, "id");
    if (id == null || id.isBlank()) {
      id = key;
    }
    if (!ID.matcher(id).matches()) {
      throw invalid("'id' must be 1 to 128 letters, digits, '.', '_', ':' or '-', got " + show(id));
    }
    if (!key.equals(id)) {
      throw invalid("record key " + show(key) + " differs from id " + show(id));
    }
    if ("cancel".equals(action)) {
      return new Cancel(id);
    }
    if (!"boost".equals(action)) {
      throw invalid("'action' must be boost or cancel, got " + show(action));
    }
    return new Start(boost(o, id, writtenAtMs, Math.min(writtenAtMs, readAtMs), limits));
  }

  private static JsonObject object(byte[] value) {
    JsonElement e;
    try {
      e = JsonParser.parseString(new String(value, StandardCharsets.UTF_8));
    } catch (JsonParseException ex) {
      // Gson wraps the reader's message (and appends a help link on the next line).
      Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
      String why = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
      throw new ControlRefusal(Reason.NOT_JSON, "not JSON: " + show(why));
    }
    if (!e.isJsonObject()) {
      throw new ControlRefusal(Reason.NOT_JSON, "expected a JSON object, got " + show(e.toString()));
    }
    return e.getAsJsonObject();
  }

  private static Boost boost(JsonObject o, String id, long writtenAtMs, long startMs, Limits limits) {
    String service = null;
    String model = null;
    String rule = null;
    if (o.has("scope")) {
      JsonElement s = o.get("scope");
      if (!s.isJsonObject()) {
        throw invalid("'scope' must be an object with service, model, rule; got " + show(s.toString()));
      }
      JsonObject scope = s.getAsJsonObject();
      for (String k : scope.keySet()) {
        if (!SCOPE_KEYS.contains(k)) {
          throw invalid("unknown scope field " + show(k) + "; allowed: model, rule, service");
        }
      }
      service = string(scope, "service");
      model = string(scope, "model");
      rule = string(scope, "rule");
    }
    int effects = (o.has("sample") ? 1 : 0) + (o.has("factor") ? 1 : 0) + (o.has("keep-all") ? 1 : 0);
    if (effects != 1) {
      throw invalid("give exactly one of sample, factor, keep-all");
    }
    double sample = Boost.NONE;
    double factor = 1;
    boolean keepAll = false;
    if (o.has("sample")) {
      sample = unit(o, "sample", Units::rate);
      if (sample <= 0) {
        throw invalid("'sample' must be above 0%");
      }
    } else if (o.has("factor")) {
      factor = number(o, "factor");
      if (!(factor > 1)) {
        throw invalid("'factor' must be above 1, got " + factor);
      }
      if (factor > limits.maxFactor()) {
        throw new ControlRefusal(Reason.OUT_OF_BOUNDS, "'factor' must be at most " + limits.maxFactor()
            + " (boosts.max-factor), got " + factor);
      }
    } else {
      keepAll = flag(o, "keep-all");
      if (!keepAll) {
        throw invalid("'keep-all' must be true when given");
      }
    }
    long expiresAt = expiresAt(o, writtenAtMs, startMs, limits);
    boolean auto = o.has("auto") && flag(o, "auto");
    return new Boost(id, service, model, rule, sample, factor, keepAll, expiresAt,
        string(o, "reason"), string(o, "by"), auto);
  }

  /** The boost's end: its ttl after {@code startMs}, or its expires-at capped at max-ttl after it. */
  private static long expiresAt(JsonObject o, long writtenAtMs, long startMs, Limits limits) {
    long maxTtlMs = limits.maxTtl().toMillis();
    if (o.has("expires-at")) {
      double at = number(o, "expires-at");
      if (!Double.isFinite(at) || at != Math.rint(at)) {
        throw invalid("'expires-at' must be a whole number of epoch milliseconds, got " + at);
      }
      long expiresAt = (long) at; // saturates beyond the long range
      if (expiresAt > plus(writtenAtMs, maxTtlMs)) {
        throw new ControlRefusal(Reason.OUT_OF_BOUNDS, "'expires-at' is more than boosts.max-ttl ("
            + Units.format(limits.maxTtl()) + ") after the record's timestamp");
      }
      return Math.min(expiresAt, plus(startMs, maxTtlMs));
    }
    if (string(o, "ttl") == null) {
      throw invalid("'ttl' is required, e.g. \"30m\"");
    }
    Duration ttl = unit(o, "ttl", Units::duration);
    if (ttl.isZero()) {
      throw invalid("'ttl' must be above 0");
    }
    if (ttl.compareTo(limits.maxTtl()) > 0) {
      throw new ControlRefusal(Reason.OUT_OF_BOUNDS, "'ttl' must be at most " + Units.format(limits.maxTtl())
          + " (boosts.max-ttl), got " + show(string(o, "ttl")));
    }
    return plus(startMs, ttl.toMillis());
  }

  /** The message for a boost, with its absolute expiry, as tailstream writes it. */
  public static byte[] toJson(Boost b) {
    JsonObject o = new JsonObject();
    o.addProperty("action", "boost");
    o.addProperty("id", b.id());
    JsonObject scope = new JsonObject();
    if (b.service() != null) {
      scope.addProperty("service", b.service());
    }
    if (b.model() != null) {
      scope.addProperty("model", b.model());
    }
    if (b.rule() != null) {
      scope.addProperty("rule", b.rule());
    }
    o.add("scope", scope);
    if (b.keepAll()) {
      o.addProperty("keep-all", true);
    } else if (b.sample() > Boost.NONE) {
      // A plain decimal: Java prints rates under 0.1% as 5.0E-4, which no rate form accepts.
      o.addProperty("sample", new BigDecimal(Double.toString(b.sample())).toPlainString());
    } else {
      o.addProperty("factor", b.factor());
    }
    o.addProperty("expires-at", b.expiresAtMs());
    if (b.reason() != null) {
      o.addProperty("reason", b.reason());
    }
    if (b.by() != null) {
      o.addProperty("by", b.by());
    }
    if (b.auto()) {
      o.addProperty("auto", true);
    }
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static ControlRefusal invalid(String message) {
    return new ControlRefusal(Reason.INVALID, message);
  }

  /** a + b, or Long.MAX_VALUE where that overflows (b is never negative here). */
  private static long plus(long a, long b) {
    long sum = a + b;
    return sum < a ? Long.MAX_VALUE : sum;
  }

  /** A string field; null when absent or JSON null. */
  private static String string(JsonObject o, String k) {
    JsonElement e = o.get(k);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonPrimitive()) {
      throw invalid("'" + k + "' must be a string, got " + show(e.toString()));
    }
    return e.getAsString();
  }

  /** A field in one of the {@link Units} forms, parsed by {@code parser}. */
  private static <T> T unit(JsonObject o, String k, Function<String, T> parser) {
    String text = string(o, k);
    if (text == null) {
      throw invalid("'" + k + "' must not be null");
    }
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw invalid("'" + k + "': " + e.getMessage() + ", got " + show(text));
    }
  }

  private static double number(JsonObject o, String k) {
    JsonElement e = o.get(k);
    if (e.isJsonPrimitive()) {
      try {
        return e.getAsDouble();
      } catch (NumberFormatException notANumber) {
        // refused below
      }
    }
    throw invalid("'" + k + "' must be a number, got " + show(e.toString()));
  }

  private static boolean flag(JsonObject o, String k) {
    JsonElement e = o.get(k);
    if (e.isJsonPrimitive() && ((JsonPrimitive) e).isBoolean()) {
      return e.getAsBoolean();
    }
    throw invalid("'" + k + "' must be true or false, got " + show(e.toString()));
  }
}
