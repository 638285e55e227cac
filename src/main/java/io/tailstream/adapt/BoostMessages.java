package io.tailstream.adapt;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.tailstream.yaml.Units;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * The control topic's message format (JSON, key = boost id):
 * <pre>
 * {"action":"boost","id":"inc-4211","scope":{"service":"ranker","model":"ranker-v3","rule":"baseline"},
 *  "sample":"50%","ttl":"30m","reason":"INC-4211 ranker latency","by":"oncall"}
 * {"action":"cancel","id":"inc-4211"}          (a tombstone cancels too)
 * </pre>
 * Parsing validates against the configured bounds; anything invalid is refused with a message
 * that says why, and never applied.
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

  /** Control messages are small; larger ones are refused unread. */
  public static final int MAX_MESSAGE_BYTES = 64 * 1024;

  private BoostMessages() {}

  /**
   * Parses one control record. {@code nowMs} turns a {@code ttl} into an expiry; a message that
   * carries {@code expires-at} (written by tailstream itself) keeps it, so replaying the topic
   * after a restart does not extend boosts.
   *
   * @throws IllegalArgumentException with the reason, for anything invalid or out of bounds
   */
  public static Command parse(String key, byte[] value, long nowMs, Limits limits) {
    if (value != null && value.length > MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException("message of " + value.length + " bytes; at most "
          + MAX_MESSAGE_BYTES + " are read");
    }
    if (value == null) {
      if (key == null || key.isBlank()) {
        throw new IllegalArgumentException("a tombstone without a key cancels nothing");
      }
      return new Cancel(key);
    }
    JsonObject o;
    try {
      JsonElement e = JsonParser.parseString(new String(value, StandardCharsets.UTF_8));
      if (!e.isJsonObject()) {
        throw new IllegalArgumentException("expected a JSON object");
      }
      o = e.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage());
    }
    for (String k : o.keySet()) {
      if (!KEYS.contains(k)) {
        throw new IllegalArgumentException("unknown field '" + k + "'; allowed: " + new java.util.TreeSet<>(KEYS));
      }
    }
    String action = string(o, "action");
    String id = string(o, "id");
    if (id == null || id.isBlank()) {
      id = key;
    }
    if (id == null || id.isBlank() || !id.matches("[A-Za-z0-9._:-]{1,128}")) {
      throw new IllegalArgumentException("'id' must be 1 to 128 letters, digits, '.', '_', ':' or '-'");
    }
    if (key != null && !key.equals(id)) {
      throw new IllegalArgumentException("record key '" + key + "' differs from id '" + id + "'");
    }
    if ("cancel".equals(action)) {
      return new Cancel(id);
    }
    if (!"boost".equals(action)) {
      throw new IllegalArgumentException("'action' must be boost or cancel, got " + action);
    }
    return new Start(boost(o, id, nowMs, limits));
  }

  private static Boost boost(JsonObject o, String id, long nowMs, Limits limits) {
    String service = null;
    String model = null;
    String rule = null;
    if (o.has("scope")) {
      if (!o.get("scope").isJsonObject()) {
        throw new IllegalArgumentException("'scope' must be an object with service, model, rule");
      }
      JsonObject scope = o.getAsJsonObject("scope");
      for (String k : scope.keySet()) {
        if (!SCOPE_KEYS.contains(k)) {
          throw new IllegalArgumentException("unknown scope field '" + k + "'; allowed: model, rule, service");
        }
      }
      service = string(scope, "service");
      model = string(scope, "model");
      rule = string(scope, "rule");
    }
    int effects = (o.has("sample") ? 1 : 0) + (o.has("factor") ? 1 : 0) + (o.has("keep-all") ? 1 : 0);
    if (effects != 1) {
      throw new IllegalArgumentException("give exactly one of sample, factor, keep-all");
    }
    double sample = Boost.NONE;
    double factor = 1;
    boolean keepAll = false;
    if (o.has("sample")) {
      sample = Units.rate(string(o, "sample"));
      if (sample <= 0) {
        throw new IllegalArgumentException("'sample' must be above 0%");
      }
    } else if (o.has("factor")) {
      factor = number(o, "factor");
      if (!(factor > 1 && factor <= limits.maxFactor())) {
        throw new IllegalArgumentException("'factor' must be above 1 and at most " + limits.maxFactor()
            + " (boosts.max-factor), got " + factor);
      }
    } else {
      keepAll = o.get("keep-all").getAsBoolean();
      if (!keepAll) {
        throw new IllegalArgumentException("'keep-all' must be true when given");
      }
    }
    long expiresAt;
    if (o.has("expires-at")) {
      expiresAt = (long) number(o, "expires-at");
      if (expiresAt - nowMs > limits.maxTtl().toMillis()) {
        throw new IllegalArgumentException("expires beyond boosts.max-ttl (" + Units.format(limits.maxTtl()) + ")");
      }
    } else {
      String ttlText = string(o, "ttl");
      if (ttlText == null) {
        throw new IllegalArgumentException("'ttl' is required, e.g. \"30m\"");
      }
      Duration ttl = Units.duration(ttlText);
      if (ttl.isZero() || ttl.compareTo(limits.maxTtl()) > 0) {
        throw new IllegalArgumentException("'ttl' must be above 0 and at most "
            + Units.format(limits.maxTtl()) + " (boosts.max-ttl), got " + ttlText);
      }
      expiresAt = nowMs + ttl.toMillis();
    }
    boolean auto = o.has("auto") && o.get("auto").getAsBoolean();
    return new Boost(id, service, model, rule, sample, factor, keepAll, expiresAt,
        string(o, "reason"), string(o, "by"), auto);
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
      o.addProperty("sample", b.sample());
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

  private static String string(JsonObject o, String k) {
    JsonElement e = o.get(k);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonPrimitive()) {
      throw new IllegalArgumentException("'" + k + "' must be a string");
    }
    return e.getAsString();
  }

  private static double number(JsonObject o, String k) {
    try {
      return o.get(k).getAsDouble();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + k + "' must be a number");
    }
  }
}
