package io.tailstream.it;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends a {@link SpreadTraces} plan at its pace, one tick every {@link #TICK}, from a background
 * thread, until {@link #stop()}; then the traces already begun are finished, so every trace of
 * the plan is sent whole. Each record is stamped with the wall time of its tick (set on the
 * {@link ProducerRecord}, as a collector stamps its batches) and sent with that same timestamp
 * and partition to every topic given: two topics then hold identical input, one read live and
 * one left for later.
 */
final class PacedLoad {
  static final Duration TICK = Duration.ofMillis(50);

  private final SpreadTraces plan;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
  private final AtomicInteger records = new AtomicInteger();
  private final Thread thread;

  PacedLoad(String bootstrap, SpreadTraces plan, String... topics) {
    this.plan = plan;
    List<String> to = List.of(topics);
    thread = new Thread(() -> send(bootstrap, to), "paced-load");
    thread.setDaemon(true);
    thread.start();
  }

  private void send(String bootstrap, List<String> topics) {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
        "bootstrap.servers", bootstrap, "acks", "all", "enable.idempotence", true, "linger.ms", 5,
        "delivery.timeout.ms", 120_000), new ByteArraySerializer(), new ByteArraySerializer())) {
      long start = System.nanoTime();
      for (long i = 0; ; i++) {
        boolean startNew = !stopping.get();
        if (!startNew && plan.drained()) {
          break;
        }
        long due = start + i * TICK.toNanos();
        while (System.nanoTime() < due) {
          LockSupport.parkNanos(due - System.nanoTime());
        }
        long timestamp = System.currentTimeMillis();
        for (SpreadTraces.Batch b : plan.next(startNew)) {
          for (String topic : topics) {
            producer.send(new ProducerRecord<>(topic, b.partition(), timestamp, null, b.value()), (md, e) -> {
              if (e != null) {
                failures.incrementAndGet();
                firstFailure.compareAndSet(null, e);
              }
            });
            records.incrementAndGet();
          }
        }
      }
      producer.flush();
    }
  }

  /** Stops beginning traces, waits until every begun one is sent and acknowledged. */
  PacedLoad stop() throws InterruptedException {
    stopping.set(true);
    thread.join(130_000);
    if (thread.isAlive()) {
      throw new AssertionError("the load did not finish sending within 130 s");
    }
    return this;
  }

  /** Sends the broker refused; the traces the plan keeps are all whole on the input only when 0. */
  int failures() {
    return failures.get();
  }

  String firstFailure() {
    Exception e = firstFailure.get();
    return e == null ? "none" : e.toString();
  }

  int records() {
    return records.get();
  }

  /** After {@link #stop()}: the traces the rules must keep, hex trace id → hex span ids. */
  Map<String, Set<String>> expected() {
    if (thread.isAlive()) {
      throw new IllegalStateException("the load is still sending");
    }
    return plan.keptByRules();
  }

  /** After {@link #stop()}: how many traces and spans were sent. */
  String sent() {
    return plan.traces() + " traces, " + plan.spans() + " spans in " + records() + " records";
  }
}
