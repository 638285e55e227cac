package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tailstream.adapt.AdaptiveState;
import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostTable;
import io.tailstream.adapt.DynamicSampler;
import io.tailstream.adapt.ModelLearners;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.decide.TraceFacts;
import io.tailstream.rules.RulesParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Boosts applied (as the global thread does), ticks and Jaeger documents (as the publisher
 * thread does) and decisions whose dynamic sampler adjusts (as stream threads do), all at once
 * for a few seconds. The boost table's lock and the publisher's used to be taken in both orders,
 * so a boost arriving during a tick deadlocked both threads and then every stream thread that
 * reached its sampler; the time limit turns such a hang into a failure.
 */
class RatesPublisherThreadsTest {
  private static final int SERVICES = 40;
  private static final long INTERVAL_MS = 10_000;

  private final BoostTable boosts = new BoostTable(50);
  private final AdaptiveState adaptive = new AdaptiveState(new ModelLearners(), boosts, () -> 1);
  private final ActiveRules rules = new ActiveRules(Decider.compile(RulesParser.parse("""
      rules:
        - name: dyn
          sample: { dynamic: { key: [service.name], goal: 2%, interval: 10s } }
        - name: baseline
          sample: 1%
      """, "r.yaml"), adaptive));
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  /** Fake wall clock shared by every thread: each decision moves it on by 1 ms. */
  private final AtomicLong clock = new AtomicLong(1_000_000);
  private volatile boolean running = true;

  private static TraceFacts facts(String service) {
    return new TraceFacts(3, 100, 0, 1, true, false, Map.of(), Set.of(service), -1, -1, 0,
        new long[0], Map.of("service.name", service));
  }

  @Test
  void boostsTicksAndDecisionsFromManyThreadsFinishAndTheLastRatesPublishedAreTheEffectiveOnes() {
    assertTimeoutPreemptively(Duration.ofSeconds(90), this::runAll,
        "boosts, ticks and decisions did not finish: a deadlock between the boost table, "
            + "the rates publisher and the dynamic sampler");
  }

  private void runAll() throws Exception {
    ScheduledExecutorService publisherThread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "test-publisher");
      t.setDaemon(true);
      return t;
    });
    RatesPublisher rates = new RatesPublisher(producer, "rates", rules, INTERVAL_MS, clock.get(),
        publisherThread);
    boosts.onChange(c -> rates.onBoostChange(c, clock.get()));
    adaptive.onRateChange((rule, key, oldRate, newRate) ->
        rates.dynamicRate(rule, key, oldRate, newRate, clock.get()));

    LongAdder ticks = new LongAdder();
    publisherThread.scheduleWithFixedDelay(() -> {
      rates.tick(clock.get());
      if (ThreadLocalRandom.current().nextInt(10) == 0) {
        rates.publishStrategies(clock.get());
      }
      ticks.increment();
    }, 0, 1, TimeUnit.MILLISECONDS);

    LongAdder boostChanges = new LongAdder();
    LongAdder decisions = new LongAdder();
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      workers.add(worker("control-" + i, () -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String id = "b" + random.nextInt(8);
        long now = clock.get();
        if (random.nextInt(4) == 0) {
          boosts.remove(id, now);
        } else {
          String service = random.nextBoolean() ? null : "svc-" + random.nextInt(3);
          boosts.put(new Boost(id, service, null, null, 0.05 + random.nextDouble() * 0.9, 1, false,
              now + random.nextLong(1, 20_000), "test", "me", false), now);
        }
        boostChanges.increment();
        LockSupport.parkNanos(200_000); // control messages are rare; keeps the producer's history small
      }));
    }
    for (int i = 0; i < 4; i++) {
      workers.add(worker("stream-" + i, () -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] id = new byte[16];
        random.nextBytes(id);
        rules.current().decide(facts("svc-" + random.nextInt(SERVICES)), id, clock.incrementAndGet());
        decisions.increment();
      }));
    }
    workers.forEach(Thread::start);
    Thread.sleep(3_000);
    running = false;
    for (Thread t : workers) {
      t.join();
    }
    assertThat(boostChanges.sum()).as("boost changes").isGreaterThan(100);
    assertThat(decisions.sum()).as("decisions").isGreaterThan(10_000);
    assertThat(ticks.sum()).as("ticks").isGreaterThan(10);

    // Quiet now: one day later every boost has ended and everything held back is due.
    long later = clock.get() + Duration.ofDays(1).toMillis();
    publisherThread.submit(() -> rates.tick(later)).get();
    publisherThread.submit(() -> rates.tick(later + INTERVAL_MS)).get();
    publisherThread.shutdown();

    Map<String, Double> lastPublished = new HashMap<>();
    for (ProducerRecord<String, byte[]> r : producer.history()) {
      if (r.key().startsWith("rate:")) {
        JsonObject m = JsonParser.parseString(new String(r.value(), StandardCharsets.UTF_8)).getAsJsonObject();
        lastPublished.put(r.key(), m.get("new").getAsDouble());
      }
    }
    assertThat(lastPublished).as("boosts were published").containsKey("rate:default");
    lastPublished.forEach((scope, rate) -> {
      if (!scope.startsWith("rate:rule=")) {
        assertThat(rate).as(scope + " after every boost ended").isEqualTo(0.01);
      }
    });
    Map<String, Double> samplerRates = adaptive.sampler("dyn", DynamicSampler.Goal.AVERAGE, 0.02,
        INTERVAL_MS).rates();
    assertThat(samplerRates).as("the sampler adjusted").isNotEmpty();
    // Changes under 1e-9 are not published.
    samplerRates.forEach((key, rate) -> assertThat(lastPublished.get("rate:rule=dyn,key=" + key))
        .as("last published rate of key " + key).isCloseTo(rate, within(1e-6)));
  }

  @Test
  void aProducerThatBlocksHoldsUpOnlyThePublisherThreadNotTheOneApplyingBoosts() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> senders = Collections.synchronizedList(new ArrayList<>());
    MockProducer<String, byte[]> stuck = new MockProducer<>(true, null, new StringSerializer(),
        new ByteArraySerializer()) {
      @Override
      public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> r, Callback callback) {
        senders.add(Thread.currentThread().getName());
        try {
          release.await(60, TimeUnit.SECONDS); // as KafkaProducer does without metadata, up to max.block.ms
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return super.send(r, callback);
      }
    };
    ExecutorService publisherThread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "test-publisher");
      t.setDaemon(true);
      return t;
    });
    RatesPublisher rates = new RatesPublisher(stuck, "rates", rules, INTERVAL_MS, 0, publisherThread);
    boosts.onChange(c -> rates.onBoostChange(c, clock.get()));

    assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
      boosts.put(new Boost("inc-1", "ranker", null, null, 0.5, 1, false, Long.MAX_VALUE, "r", "me", false), 1);
      while (senders.isEmpty()) {
        Thread.sleep(1); // until the publisher thread is stuck in its first send
      }
      boosts.put(new Boost("inc-2", "search", null, null, 0.5, 1, false, Long.MAX_VALUE, "r", "me", false), 2);
    }, "applying boosts waited for the producer");
    release.countDown();
    publisherThread.submit(() -> { }).get(60, TimeUnit.SECONDS);
    publisherThread.shutdown();
    assertThat(stuck.history()).extracting(ProducerRecord::key).contains("rate:service=ranker",
        "rate:service=search");
    assertThat(senders).containsOnly("test-publisher");
  }

  private Thread worker(String name, Runnable step) {
    Thread t = new Thread(() -> {
      while (running) {
        step.run();
      }
    }, name);
    t.setDaemon(true);
    return t;
  }
}
