package io.tailstream.app;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.tailstream.adapt.BoostTable;
import io.tailstream.adapt.EffectiveRates;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every change of an effective sampling rate to the rates topic, keyed by scope (at
 * most one message per scope per interval; later changes within it are sent at the next tick), and
 * periodically a Jaeger sampling-strategies document under the key
 * {@value #JAEGER_KEY}, so that head samplers and dashboards follow boosts.
 *
 * <p>Rate change message: {@code {"scope":{"service":"ranker"},"old":0.01,"new":0.5,
 * "cause":"boost:inc-4211","time":"2026-11-25T10:00:00Z"}}; the default scope is {@code {}}.
 */
final class RatesPublisher {
  static final String JAEGER_KEY = "jaeger:sampling-strategies";
  private static final Logger log = LoggerFactory.getLogger(RatesPublisher.class);

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final ActiveRules rules;
  private final long intervalMs;
  private final Map<String, Double> published = new HashMap<>();
  private final Map<String, Long> publishedAt = new HashMap<>();
  private final Map<String, Pending> pending = new LinkedHashMap<>();

  private record Pending(double oldRate, double newRate, String cause) {}

  RatesPublisher(Producer<String, byte[]> producer, String topic, ActiveRules rules, long intervalMs,
      long nowMs) {
    this.producer = producer;
    this.topic = topic;
    this.rules = rules;
    this.intervalMs = intervalMs;
    published.put("", snapshot(nowMs).defaultRate());
  }

  /** The effective rates now. */
  EffectiveRates.Snapshot snapshot(long nowMs) {
    Decider d = rules.current();
    return EffectiveRates.of(d.baselineRate(), d.baselineRule(), d.boosts().active(nowMs));
  }

  /** Called for every boost table change. */
  synchronized void onBoostChange(BoostTable.Change change, long nowMs) {
    var b = change.after() != null ? change.after() : change.before();
    String cause = (b.auto() ? "auto:" : "boost:") + b.id() + (change.after() == null ? " ended" : "");
    diff(nowMs, cause);
  }

  /** Publishes what is due: boosts that expired, rules that changed, held-back changes. */
  synchronized void tick(long nowMs) {
    rules.current().boosts().expire(nowMs); // fires onBoostChange for boosts that ended
    diff(nowMs, "rules");
    for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (due(e.getKey(), nowMs)) {
        it.remove();
        if (e.getKey().startsWith("rule=")) {
          int comma = e.getKey().indexOf(",key=");
          sendScoped(e.getKey(), e.getKey().substring(5, comma), e.getKey().substring(comma + 5),
              e.getValue(), nowMs);
        } else {
          send(e.getKey(), e.getValue(), nowMs);
        }
      }
    }
  }

  /** A dynamic sampler changed a key's rate: published like any rate, at most once per interval. */
  synchronized void dynamicRate(String rule, String key, double oldRate, double newRate, long nowMs) {
    String scope = "rule=" + rule + ",key=" + key;
    Pending held = pending.get(scope);
    Pending next = new Pending(held != null ? held.oldRate() : oldRate, newRate, "rule:" + rule);
    if (due(scope, nowMs)) {
      pending.remove(scope);
      sendScoped(scope, rule, key, next, nowMs);
    } else {
      pending.put(scope, next);
    }
  }

  private void sendScoped(String scopeKey, String rule, String key, Pending p, long nowMs) {
    JsonObject scope = new JsonObject();
    scope.addProperty("rule", rule);
    scope.addProperty("key", key);
    JsonObject m = new JsonObject();
    m.add("scope", scope);
    m.addProperty("old", Double.isNaN(p.oldRate()) ? null : p.oldRate());
    m.addProperty("new", p.newRate());
    m.addProperty("cause", p.cause());
    m.addProperty("time", Instant.ofEpochMilli(nowMs).toString());
    producer.send(new ProducerRecord<>(topic, "rate:" + scopeKey, m.toString().getBytes(StandardCharsets.UTF_8)));
    publishedAt.put(scopeKey, nowMs);
  }

  /**
   * Per-model and per-stage statistics of the last interval, keyed {@code stats:model=NAME} or
   * {@code stats:stage=SERVICE}: {@code {"kind":"model","name":"ranker-v3","count":5210,
   * "error_rate":0.004,"p50_ms":84.1,"p95_ms":190.3,"p99_ms":612.0,"interval_s":60,"time":"…"}}.
   */
  synchronized void publishStats(java.util.List<io.tailstream.adapt.StageStats.Stat> stats,
      long intervalMs, long nowMs) {
    for (var s : stats) {
      JsonObject m = new JsonObject();
      m.addProperty("kind", s.kind());
      m.addProperty("name", s.name());
      m.addProperty("count", s.count());
      m.addProperty("error_rate", s.errorRate());
      m.addProperty("p50_ms", s.p50Ms());
      m.addProperty("p95_ms", s.p95Ms());
      m.addProperty("p99_ms", s.p99Ms());
      m.addProperty("interval_s", intervalMs / 1000);
      m.addProperty("time", Instant.ofEpochMilli(nowMs).toString());
      producer.send(new ProducerRecord<>(topic, "stats:" + s.kind() + "=" + s.name(),
          m.toString().getBytes(StandardCharsets.UTF_8)));
    }
  }

  synchronized void publishStrategies(long nowMs) {
    producer.send(new ProducerRecord<>(topic, JAEGER_KEY, jaegerStrategies(snapshot(nowMs))));
  }

  /** Compares the effective rates with what was last published, per scope ("" = default). */
  private void diff(long nowMs, String cause) {
    EffectiveRates.Snapshot now = snapshot(nowMs);
    Map<String, Double> current = new HashMap<>(now.services());
    current.put("", now.defaultRate());
    for (String scope : published.keySet()) {
      current.putIfAbsent(scope, now.defaultRate()); // a service's boost ended: back to default
    }
    boolean changed = false;
    for (Map.Entry<String, Double> e : current.entrySet()) {
      String scope = e.getKey();
      Pending held = pending.get(scope);
      double last = held != null ? held.newRate()
          : published.getOrDefault(scope, published.get(""));
      if (last == e.getValue()) {
        continue;
      }
      changed = true;
      double old = held != null ? held.oldRate() : last;
      if (old == e.getValue()) {
        pending.remove(scope); // back where it was: nothing to publish
      } else if (due(scope, nowMs)) {
        pending.remove(scope);
        send(scope, new Pending(old, e.getValue(), cause), nowMs);
      } else {
        pending.put(scope, new Pending(old, e.getValue(), cause));
      }
    }
    if (changed) {
      producer.send(new ProducerRecord<>(topic, JAEGER_KEY, jaegerStrategies(now)));
    }
  }

  private boolean due(String scope, long nowMs) {
    Long at = publishedAt.get(scope);
    return at == null || nowMs - at >= intervalMs;
  }

  private void send(String service, Pending p, long nowMs) {
    JsonObject scope = new JsonObject();
    if (!service.isEmpty()) {
      scope.addProperty("service", service);
    }
    JsonObject m = new JsonObject();
    m.add("scope", scope);
    m.addProperty("old", p.oldRate());
    m.addProperty("new", p.newRate());
    m.addProperty("cause", p.cause());
    m.addProperty("time", Instant.ofEpochMilli(nowMs).toString());
    producer.send(new ProducerRecord<>(topic, "rate:" + (service.isEmpty() ? "default" : "service=" + service),
        m.toString().getBytes(StandardCharsets.UTF_8)));
    if (!service.isEmpty() && p.newRate() == published.get("")) {
      published.remove(service); // back to the default: no need to track it
    } else {
      published.put(service, p.newRate());
    }
    publishedAt.put(service, nowMs);
    log.info("sampling rate {}: {} -> {} ({})", service.isEmpty() ? "default" : "service " + service,
        p.oldRate(), p.newRate(), p.cause());
  }

  /** Jaeger's file-based sampling strategies format. */
  static byte[] jaegerStrategies(EffectiveRates.Snapshot s) {
    JsonObject doc = new JsonObject();
    JsonObject def = new JsonObject();
    def.addProperty("type", "probabilistic");
    def.addProperty("param", s.defaultRate());
    doc.add("default_strategy", def);
    JsonArray services = new JsonArray();
    s.services().forEach((service, rate) -> {
      JsonObject o = new JsonObject();
      o.addProperty("service", service);
      o.addProperty("type", "probabilistic");
      o.addProperty("param", rate);
      o.add("operation_strategies", new JsonArray());
      services.add(o);
    });
    doc.add("service_strategies", services);
    return doc.toString().getBytes(StandardCharsets.UTF_8);
  }
}
