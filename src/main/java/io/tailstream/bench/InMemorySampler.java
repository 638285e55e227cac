package io.tailstream.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.decide.Decider;
import io.tailstream.decide.Decision;
import io.tailstream.decide.FactsExtractor;
import io.tailstream.decide.TraceFacts;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.OtlpDecodeException;
import io.tailstream.otlp.ProtoTraceSplitter;
import io.tailstream.otlp.TraceAssembler;
import io.tailstream.otlp.TraceIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The design a user would otherwise pick: an in-memory tail sampler in the shape of the
 * OpenTelemetry Collector's {@code tail_sampling} processor between its Kafka receiver and
 * exporter, built from tailstream's own parts so that the bench compares designs, not codecs or
 * rule engines.
 *
 * <h2>What it does</h2>
 * One {@code KafkaConsumer} ({@code read_committed}) on the input. Each record is split into
 * per-trace fragments by {@link ProtoTraceSplitter} and each fragment summarized by the compiled
 * rules' {@link FactsExtractor}, as tailstream's split step does. Traces live in a
 * {@code HashMap} (fragment bytes and merged facts) and are decided {@code wait} after their first
 * span by the same {@link Decider}; kept traces are assembled by {@link TraceAssembler} and
 * produced in a transaction that also commits the consumer's position
 * ({@code sendOffsetsToTransaction}), once per commit interval. No state store, no changelog, no
 * repartition: one read of the input, one write of the kept traces.
 *
 * <h2>On which clock</h2>
 * The Collector measures {@code decision_wait} on the wall clock from a span's arrival. The bench
 * drains a pre-loaded backlog far faster than it was written, and on arrival time a trace whose
 * spans lie further apart in the log than {@code wait} of reading would be decided before the
 * rest of it is read. So here a trace is due at its first record's timestamp (the input's own
 * time) plus {@code wait}, and is decided once the input clock, the highest record timestamp
 * read, reaches that. When every assigned partition is caught up (lag 0) the clock follows the
 * wall clock as well, so that the input's last traces, and quiet live traffic, are decided too.
 * The bench's loader writes its input in less than {@code wait} of record time, so this sampler
 * holds every trace until it has read the whole input, then decides them all. Rate limits and
 * dynamic samplers see the same input clock. Producer clocks far in the future push the clock and
 * decide everything early: not handled, the bench's input has none.
 *
 * <h2>What it loses</h2>
 * Offsets cover every record read, as the Collector's receiver commits what it handed on: the
 * position includes the traces still in the map. On {@code kill -9}, any crash, or a rebalance
 * that moves a partition, <b>everything buffered is lost</b>: at a steady rate, {@code wait} times
 * the trace rate; in a backlog, everything read and not yet decided. Nothing is written twice
 * (output and offsets commit together). Spans arriving after their trace was decided start a new
 * trace (the Collector without its decision cache), and the map is unbounded (the Collector's
 * {@code num_traces} would drop the oldest): neither happens on the bench's input, where a
 * trace's spans are in one record.
 *
 * <p>Runs on a thread of its own named {@code <group>}{@value #THREAD_SUFFIX}, which
 * {@link Probe} counts as the app's thread.
 */
final class InMemorySampler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InMemorySampler.class);
  static final String THREAD_SUFFIX = "-sampler";
  private static final Duration POLL = Duration.ofMillis(100);
  private static final int DECIDE_BATCH = 1_000;

  /**
   * Where to read and write, and when to decide and commit. {@code group} is the consumer group
   * and the transactional id.
   */
  record Settings(String bootstrap, String group, String input, String output, Duration decisionWait,
      Duration commitInterval, String compression, long maxRecordBytes) {
    Settings {
      if (decisionWait.isNegative() || commitInterval.isNegative() || commitInterval.isZero()) {
        throw new IllegalArgumentException("wait must be >= 0 and commit interval > 0, got wait "
            + decisionWait + ", commit interval " + commitInterval);
      }
    }
  }

  /** What the sampler decided, read after {@link #close}. */
  record Counts(long kept, long dropped, long unreadableRecords, long unfitSpans,
      long maxTracesInFlight, Map<String, Long> keptByRule) {
    Counts {
      keptByRule = Map.copyOf(keptByRule);
    }
  }

  private final Settings settings;
  private final Decider decider;
  private final TraceAssembler assembler;
  private final ProtoTraceSplitter splitter = new ProtoTraceSplitter();
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final KafkaProducer<byte[], byte[]> producer;
  private final Thread thread;

  private final Map<ByteString, Trace> traces = new HashMap<>();
  private final PriorityQueue<Trace> due = new PriorityQueue<>(Comparator.comparingLong(t -> t.dueMs));
  private final Map<String, Long> keptByRule = new TreeMap<>();
  private final AtomicLong kept = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private long unreadable;
  private long unfitSpans;
  private long maxInFlight;
  private long clockMs = Long.MIN_VALUE;
  private boolean inTransaction;
  /** Records read since the last commit (the loop thread's own). */
  private boolean pending;
  private long lastCommitNanos = System.nanoTime();
  private volatile boolean assigned;
  private volatile boolean stopping;
  private volatile Throwable failure;

  private InMemorySampler(Settings settings, Decider decider) {
    this.settings = settings;
    this.decider = decider;
    this.assembler = new TraceAssembler(OtlpCodec.of(Encoding.OTLP_PROTO), settings.maxRecordBytes());
    // Streams' defaults for its consumer and exactly-once producer, so that only the design differs.
    this.consumer = new KafkaConsumer<>(Map.of("bootstrap.servers", settings.bootstrap(),
        "group.id", settings.group(), "isolation.level", "read_committed",
        "enable.auto.commit", false, "auto.offset.reset", "earliest", "max.poll.records", 1000),
        new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", settings.bootstrap(),
        "transactional.id", settings.group(), "compression.type", settings.compression(),
        "linger.ms", 100, "acks", "all", "max.request.size", (int) Math.min(Integer.MAX_VALUE,
            Math.max(1 << 20, settings.maxRecordBytes() + 4096))),
        new ByteArraySerializer(), new ByteArraySerializer());
    this.thread = new Thread(this::loop, settings.group() + THREAD_SUFFIX);
  }

  /** Starts reading {@code settings.input()} on a thread of its own, deciding with {@code rules}. */
  static InMemorySampler start(Settings settings, Decider rules) {
    InMemorySampler sampler = new InMemorySampler(settings, rules);
    sampler.thread.start();
    return sampler;
  }

  /** Whether the consumer has its partitions (when a measurement may start). */
  boolean assigned() {
    rethrowFailure();
    return assigned;
  }

  /** Traces decided so far, kept or dropped. */
  long decided() {
    rethrowFailure();
    return kept.get() + dropped.get();
  }

  /** The counts; complete once {@link #close} returned. */
  Counts counts() {
    return new Counts(kept.get(), dropped.get(), unreadable, unfitSpans, maxInFlight, keptByRule);
  }

  /** Commits what was decided and stops; traces still buffered are discarded (see the class note). */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    thread.join(Duration.ofSeconds(60).toMillis());
    if (thread.isAlive()) {
      throw new IllegalStateException(thread.getName() + " did not stop within 60 s");
    }
    rethrowFailure();
  }

  private void rethrowFailure() {
    Throwable t = failure;
    if (t != null) {
      throw new IllegalStateException("in-memory sampler " + settings.group() + " failed: " + t, t);
    }
  }

  private void loop() {
    try (consumer; producer) {
      producer.initTransactions();
      consumer.subscribe(List.of(settings.input()), new ConsumerRebalanceListener() {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
          assigned = !partitions.isEmpty();
        }
      });
      while (!stopping) {
        step();
      }
      if (pending || inTransaction) {
        commit();
      }
      if (!traces.isEmpty()) {
        log.info("{}: stopping with {} traces undecided; they are lost", settings.group(), traces.size());
      }
    } catch (Throwable t) {
      log.error("in-memory sampler {} failed", settings.group(), t);
      failure = t;
    }
  }

  /**
   * One poll, its records, the decisions now due and the commit when one is due. A method of its
   * own, like {@link #decideDue}'s bounded batches, so that the JIT compiles it as it compiles
   * tailstream's processors during the warm-up round: one long loop method is only compiled by
   * on-stack replacement, in the middle of each measured round (bench profile prof17).
   */
  private void step() {
    var records = consumer.poll(POLL);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      read(r);
    }
    pending |= !records.isEmpty();
    maxInFlight = Math.max(maxInFlight, traces.size());
    if (caughtUp()) {
      clockMs = Math.max(clockMs, System.currentTimeMillis());
    }
    while (decideDue()) {
      // more due than one batch
    }
    if (pending && System.nanoTime() - lastCommitNanos >= settings.commitInterval().toNanos()) {
      commit();
      pending = false;
      lastCommitNanos = System.nanoTime();
    }
  }

  private void read(ConsumerRecord<byte[], byte[]> record) {
    clockMs = Math.max(clockMs, record.timestamp());
    ProtoTraceSplitter.Result split;
    try {
      split = splitter.split(record.value());
    } catch (OtlpDecodeException e) {
      unreadable++;
      log.warn("{}: record {}/{}/{} skipped, unreadable: {}", settings.group(), record.topic(),
          record.partition(), record.offset(), e.getMessage());
      return;
    }
    FactsExtractor extractor = decider.extractor();
    for (ProtoTraceSplitter.Fragment f : split.fragments()) {
      Trace t = traces.get(f.traceId());
      if (t == null) {
        t = new Trace(f.traceId(), record.timestamp() + settings.decisionWait().toMillis());
        traces.put(f.traceId(), t);
        due.add(t);
      }
      t.add(f.encoded(), extractor.extract(f.parsed(), f.encoded().length, clockMs));
    }
  }

  /** Every partition read to its end: the input has nothing newer than what was read. */
  private boolean caughtUp() {
    var partitions = consumer.assignment();
    if (partitions.isEmpty()) {
      return false;
    }
    for (TopicPartition tp : partitions) {
      OptionalLong lag = consumer.currentLag(tp);
      if (lag.isEmpty() || lag.getAsLong() > 0) {
        return false; // unknown until the first fetch answered: not caught up
      }
    }
    return true;
  }

  /** Decides up to {@link #DECIDE_BATCH} due traces; true when more are due. */
  private boolean decideDue() {
    for (int n = 0; n < DECIDE_BATCH; n++) {
      if (due.isEmpty() || due.peek().dueMs > clockMs) {
        return false;
      }
      Trace t = due.poll();
      traces.remove(t.id);
      byte[] id = t.id.toByteArray();
      Decision d = decider.decide(t.facts, id, clockMs);
      if (d.kept()) {
        emit(id, t, d);
        keptByRule.merge(d.rule(), 1L, Long::sum);
        kept.incrementAndGet();
      } else {
        dropped.incrementAndGet();
      }
    }
    return !due.isEmpty() && due.peek().dueMs <= clockMs;
  }

  /** As tailstream emits: the bytes as they came unless the decision rewrites tracestates. */
  private void emit(byte[] id, Trace t, Decision d) {
    List<TraceAssembler.Unfit> unfit = new ArrayList<>(0);
    List<byte[]> records;
    try {
      if (d.changesTraceState()) {
        List<TracesData> parsed = new ArrayList<>(t.fragments.size());
        for (byte[] f : t.fragments) {
          parsed.add(TracesData.parseFrom(f));
        }
        records = assembler.assemble(parsed, span -> withTraceState(span, d), unfit);
      } else {
        records = assembler.passThrough(t.fragments, unfit);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt buffered fragment of trace " + TraceIds.hex(id), e);
    }
    unfitSpans += unfit.size(); // a Collector exporter would drop them too; counted
    if (!inTransaction) {
      producer.beginTransaction();
      inTransaction = true;
    }
    byte[] key = TraceIds.hex(id).getBytes(StandardCharsets.UTF_8);
    for (byte[] value : records) {
      producer.send(new ProducerRecord<>(settings.output(), key, value));
    }
  }

  private static Span withTraceState(Span span, Decision d) {
    String state = d.traceState(span.getTraceState());
    return state.equals(span.getTraceState()) ? span : span.toBuilder().setTraceState(state).build();
  }

  /** Kept traces and the position of every partition, in one transaction. */
  private void commit() {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (TopicPartition tp : consumer.assignment()) {
      offsets.put(tp, new OffsetAndMetadata(consumer.position(tp)));
    }
    if (offsets.isEmpty() && !inTransaction) {
      return;
    }
    if (!inTransaction) {
      producer.beginTransaction();
    }
    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
    producer.commitTransaction();
    inTransaction = false;
  }

  /** A buffered trace: its fragments' bytes, their merged facts, and when it is due. */
  private static final class Trace {
    final ByteString id;
    final long dueMs;
    final List<byte[]> fragments = new ArrayList<>(2);
    TraceFacts facts;

    Trace(ByteString id, long dueMs) {
      this.id = id;
      this.dueMs = dueMs;
    }

    void add(byte[] encoded, TraceFacts more) {
      fragments.add(encoded);
      facts = facts == null ? more : facts.merge(more);
    }
  }
}
