package io.tailstream.app;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostTable;
import io.tailstream.adapt.EffectiveRates;
import io.tailstream.adapt.StageStats;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
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
 *
 * <p>Threads: every send, and all the state below but the inbox, belong to one thread, the
 * {@code publisherThread} executor's; {@link #tick}, {@link #publishStrategies} and
 * {@link #publishStats} must run there. Other threads only post: {@link #onBoostChange} (the global
 * thread applying a boost) and {@link #dynamicRate} (a stream thread whose sampler adjusted) add to
 * a lock-free inbox and wake the publisher thread, then return. So a producer that blocks (no
 * metadata, a full buffer: up to {@code max.block.ms}) holds up only the publisher thread, and no
 * lock is ever held while calling out. Before, a tick held this class's lock while waiting for the
 * boost table's, and a boost held the table's while waiting for this one: both threads stopped,
 * and so did every stream thread whose sampler then adjusted.
 */
final class RatesPublisher {
  static final String JAEGER_KEY = "jaeger:sampling-strategies";
  /** Boost changes kept for their causes between two drains; more only lose the attribution. */
  static final int MAX_QUEUED_CHANGES = 1_024;
  private static final Logger log = LoggerFactory.getLogger(RatesPublisher.class);

  /** A rates-topic scope: a service ({@code ""} for the default), or a dynamic sampler's key of a rule. */
  private record Scope(String rule, String name) {
    static final Scope DEFAULT = new Scope(null, "");

    static Scope service(String service) {
      return service.isEmpty() ? DEFAULT : new Scope(null, service);
    }

    String messageKey() {
      if (rule != null) {
        return "rate:rule=" + rule + ",key=" + name;
      }
      return "rate:" + (name.isEmpty() ? "default" : "service=" + name);
    }
  }

  private record Pending(double oldRate, double newRate, String cause) {}

  private final Producer<String, byte[]> producer;
  private final String topic;
  private final ActiveRules rules;
  private final long intervalMs;
  private final Executor publisherThread;
  // The publisher thread's own.
  /** Service scopes with a message on the topic (one per service ever boosted), and its rate. */
  private final Map<Scope, Double> published = new HashMap<>();
  private final Map<Scope, Long> publishedAt = new HashMap<>();
  private final Map<Scope, Pending> pending = new LinkedHashMap<>();
  // The inbox: written by any thread, emptied by the publisher thread.
  private final Queue<BoostTable.Change> postedChanges = new ConcurrentLinkedQueue<>();
  private final AtomicInteger postedChangeCount = new AtomicInteger();
  private final AtomicBoolean changesOverflowed = new AtomicBoolean();
  private final Map<Scope, Pending> postedRates = new ConcurrentHashMap<>();
  private final AtomicLong postedAtMs = new AtomicLong(Long.MIN_VALUE);
  private final AtomicBoolean woken = new AtomicBoolean();

  /**
   * @param publisherThread runs one task at a time (a single-thread executor): where this
   *     publisher sends from, and where {@link #tick} and the other publishing calls must run
   */
  RatesPublisher(Producer<String, byte[]> producer, String topic, ActiveRules rules, long intervalMs,
      long nowMs, Executor publisherThread) {
    this.producer = producer;
    this.topic = topic;
    this.rules = rules;
    this.intervalMs = intervalMs;
    this.publisherThread = publisherThread;
    published.put(Scope.DEFAULT, snapshot(nowMs).defaultRate());
  }

  /** The effective rates now; any thread. */
  EffectiveRates.Snapshot snapshot(long nowMs) {
    Decider d = rules.current();
    return EffectiveRates.of(d.baselineRate(), d.baselineRule(), d.boosts().active(nowMs));
  }

  /** Called for every boost table change, on any thread; returns at once. */
  void onBoostChange(BoostTable.Change change, long nowMs) {
    if (postedChangeCount.incrementAndGet() <= MAX_QUEUED_CHANGES) {
      postedChanges.add(change);
    } else {
      postedChangeCount.decrementAndGet();
      changesOverflowed.set(true); // the rates are still compared; only the cause is lost
    }
    wake(nowMs);
  }

  /**
   * A dynamic sampler changed a key's rate, on any thread; returns at once. Published like any
   * rate, at most once per interval; changes posted meanwhile are merged (first old, last new).
   */
  void dynamicRate(String rule, String key, double oldRate, double newRate, long nowMs) {
    postedRates.merge(new Scope(rule, key), new Pending(oldRate, newRate, "rule:" + rule),
        (first, last) -> new Pending(first.oldRate(), last.newRate(), last.cause()));
    wake(nowMs);
  }

  /** Publishes what is due: boosts that expired, rules that changed, held-back changes. */
  void tick(long nowMs) {
    rules.current().boosts().expire(nowMs); // posts the boosts that ended
    drain(nowMs);
    diff(nowMs, scope -> "rules");
    for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (due(e.getKey(), nowMs)) {
        it.remove();
        send(e.getKey(), e.getValue(), nowMs);
      }
    }
  }

  /**
   * Per-model and per-stage statistics of the last interval, keyed {@code stats:model=NAME} or
   * {@code stats:stage=SERVICE}: {@code {"kind":"model","name":"ranker-v3","count":5210,
   * "error_rate":0.004,"p50_ms":84.1,"p95_ms":190.3,"p99_ms":612.0,"interval_s":60,"time":"…"}}.
   */
  void publishStats(List<StageStats.Stat> stats, long intervalMs, long nowMs) {
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

  void publishStrategies(long nowMs) {
    producer.send(new ProducerRecord<>(topic, JAEGER_KEY, jaegerStrategies(snapshot(nowMs))));
  }

  /** Has the publisher thread empty the inbox soon; at most one wake-up is outstanding. */
  private void wake(long nowMs) {
    postedAtMs.accumulateAndGet(nowMs, Math::max);
    if (woken.compareAndSet(false, true)) {
      try {
        publisherThread.execute(() -> {
          woken.set(false);
          try {
            drain(postedAtMs.get());
          } catch (RuntimeException e) {
            log.warn("publishing rate changes failed; later changes are still published", e);
          }
        });
      } catch (RejectedExecutionException stopping) {
        woken.set(false);
        log.debug("rates publisher stopped; a rate change was not published");
      }
    }
  }

  /** Publishes what other threads posted. */
  private void drain(long nowMs) {
    List<BoostTable.Change> changes = new ArrayList<>();
    for (BoostTable.Change c = postedChanges.poll(); c != null; c = postedChanges.poll()) {
      postedChangeCount.decrementAndGet();
      changes.add(c);
    }
    if (changesOverflowed.getAndSet(false) || !changes.isEmpty()) {
      diff(nowMs, scope -> causeOf(scope, changes));
    }
    for (Scope scope : List.copyOf(postedRates.keySet())) {
      Pending posted = postedRates.remove(scope);
      if (posted == null) {
        continue;
      }
      Pending held = pending.remove(scope);
      Pending next = held == null ? posted : new Pending(held.oldRate(), posted.newRate(), posted.cause());
      if (due(scope, nowMs)) {
        send(scope, next, nowMs);
      } else {
        pending.put(scope, next);
      }
    }
  }

  /** The cause of a service scope's change: the latest of {@code changes} whose boost covers it. */
  private static String causeOf(Scope scope, List<BoostTable.Change> changes) {
    for (int i = changes.size() - 1; i >= 0; i--) {
      BoostTable.Change c = changes.get(i);
      Boost b = c.after() != null ? c.after() : c.before();
      if (b.service() == null || b.service().equals(scope.name())) {
        return (b.auto() ? "auto:" : "boost:") + b.id() + (c.after() == null ? " ended" : "");
      }
    }
    return "boosts";
  }

  /** Compares the effective rates with what was last published, per service scope. */
  private void diff(long nowMs, Function<Scope, String> causeOfScope) {
    EffectiveRates.Snapshot now = snapshot(nowMs);
    Map<Scope, Double> current = new HashMap<>();
    now.services().forEach((service, rate) -> current.put(Scope.service(service), rate));
    current.put(Scope.DEFAULT, now.defaultRate());
    for (Scope scope : published.keySet()) {
      current.putIfAbsent(scope, now.defaultRate()); // a service's boost ended: back to default
    }
    boolean changed = false;
    for (Map.Entry<Scope, Double> e : current.entrySet()) {
      Scope scope = e.getKey();
      Pending held = pending.get(scope);
      double last = held != null ? held.newRate()
          : published.getOrDefault(scope, published.get(Scope.DEFAULT));
      if (last == e.getValue()) {
        continue;
      }
      changed = true;
      double old = held != null ? held.oldRate() : last;
      if (old == e.getValue()) {
        pending.remove(scope); // back where it was: nothing to publish
      } else if (due(scope, nowMs)) {
        pending.remove(scope);
        send(scope, new Pending(old, e.getValue(), causeOfScope.apply(scope)), nowMs);
      } else {
        pending.put(scope, new Pending(old, e.getValue(), causeOfScope.apply(scope)));
      }
    }
    if (changed) {
      producer.send(new ProducerRecord<>(topic, JAEGER_KEY, jaegerStrategies(now)));
    }
  }

  private boolean due(Scope scope, long nowMs) {
    Long at = publishedAt.get(scope);
    return at == null || nowMs - at >= intervalMs;
  }

  private void send(Scope scope, Pending p, long nowMs) {
    JsonObject scopeJson = new JsonObject();
    if (scope.rule() != null) {
      scopeJson.addProperty("rule", scope.rule());
      scopeJson.addProperty("key", scope.name());
    } else if (!scope.name().isEmpty()) {
      scopeJson.addProperty("service", scope.name());
    }
    JsonObject m = new JsonObject();
    m.add("scope", scopeJson);
    m.addProperty("old", Double.isNaN(p.oldRate()) ? null : p.oldRate()); // NaN: a key's first rate
    m.addProperty("new", p.newRate());
    m.addProperty("cause", p.cause());
    m.addProperty("time", Instant.ofEpochMilli(nowMs).toString());
    producer.send(new ProducerRecord<>(topic, scope.messageKey(), m.toString().getBytes(StandardCharsets.UTF_8)));
    publishedAt.put(scope, nowMs);
    if (scope.rule() != null) {
      return;
    }
    // Tracked for good, even when equal to the default: the topic holds this number for the
    // service, so it must be told again whenever the default moves on.
    published.put(scope, p.newRate());
    log.info("sampling rate {}: {} -> {} ({})", scope.name().isEmpty() ? "default" : "service " + scope.name(),
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
