package io.tailstream.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tailstream.buffer.InputLag;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link InputLag} of a running instance: the records of an input partition this instance has
 * not processed yet, up to what can be read of it (its last stable offset). That is the main
 * consumer's {@code records-lag} (position to end) plus what the task holds fetched but not yet
 * processed ({@link TaskProgress}, from Kafka Streams' {@code TaskMetadata}). The second term is
 * not a detail: with Kafka Streams' defaults, a restarted task over a backlog of 800 records per
 * partition read {@code records-lag} 0 while 799 of them were still queued unprocessed
 * ({@code ConsumerLagIntegrationTest}, figures in its log); the consumer had fetched them all.
 *
 * <p>{@link #recordsInFlight()} keeps its default, true: a record may still be on its way from a
 * producer when the lag reads 0.
 *
 * <p>Lifecycle: constructed empty (the topology that asks it is built before Kafka Streams
 * exists), {@link #bind bound} to the {@code KafkaStreams} once, {@link #start started} (a daemon
 * thread refreshes a table every 500 ms: {@code KafkaStreams.metrics()} builds a map of every
 * metric per call, far too much per record), {@link #close closed}. Until the first refresh, and
 * whenever the client is not {@code RUNNING} or {@code REBALANCING}, every lag is unknown.
 *
 * <h2>What records-lag says (Kafka 4.4.0)</h2>
 * Read in kafka-clients, kafka-streams and kafka-server 4.4.0 (the jars we run, disassembled, as
 * the source snapshot at hand, apache/kafka 4.0.0-SNAPSHOT, predates KIP-1109; the logic below
 * is the same in both except (a)). Classes in {@code org.apache.kafka.clients.consumer.internals}
 * unless named otherwise.
 * <ol type="a">
 *   <li>Topic tag: {@code FetchMetricsManager.recordPartitionLag} tags the topic as it is, and for
 *       a dotted topic also records a deprecated copy with '.' replaced by '_'
 *       ({@code maybeRecordDeprecatedPartitionLag}, {@code topicPartitionTags}); 4.0 had only the
 *       '_' form. {@link FetchMetricsReader} matches exact names, so the copy never counts.
 *   <li>Freshness: {@code AbstractFetch.handleFetchSuccess} turns every partition of a response,
 *       empty ones included, into a {@code CompletedFetch}; {@code FetchCollector.fetchRecords}
 *       records the lag after moving the position, so a fetch that returns everything records 0.
 *       But in an incremental fetch session (KIP-227) the broker leaves a partition out of the
 *       response when it has no new records and its high watermark and log start offset did not
 *       change ({@code org.apache.kafka.server.FetchSession.CachedPartition
 *       .maybeUpdateResponseData}): an idle caught-up partition records 0 once, then nothing.
 *       Its value is right but never refreshed, so "unchanged for N seconds means stale" would
 *       make exactly the quiet partitions unknown, the ones that need the wall clock.
 *   <li>{@code SubscriptionState.partitionLag}: with read_committed (exactly_once_v2 sets it)
 *       last stable offset minus position, else high watermark minus position; not recorded
 *       while either is unknown.
 *   <li>{@code FetchMetricsManager.maybeUpdateAssignment}, first thing in
 *       {@code AbstractFetch.prepareFetchRequests} on every fetch round, removes the sensors of a
 *       partition no longer assigned (both names). Until that round the old value lives on: we
 *       count a partition only under the consumer whose thread has it in an active task
 *       ({@code KafkaStreams.metadataForLocalThreads()}), which also leaves out the restore and
 *       global consumers ({@code -restore-consumer}, {@code -global-consumer};
 *       {@code streams.processor.internals.ClientUtils}).
 *   <li>Paused ({@code StreamTask.addRecords} pauses a partition whose queue exceeds
 *       {@code buffered.records.per.partition}; restoring tasks are paused too): not fetchable,
 *       so not fetched ({@code fetchablePartitions}), and a completed fetch already held for it is
 *       put back unread ({@code FetchCollector.collectFetch}): nothing is recorded, the last value
 *       stays. A consumer whose partitions are all paused sends no fetch at all. A paused
 *       partition's queue is full, which the {@link TaskProgress} term counts.
 * </ol>
 *
 * <h2>When a value is trusted</h2>
 * Per consumer, not per partition (per partition, (b) makes a frozen value and an idle one look
 * alike): a main consumer's lags count while its {@code fetch-total} (every fetch response,
 * {@code handleFetchSuccess}) has moved in the last {@code staleAfter}, and not before it has
 * been seen to move once. An idle consumer completes a fetch every {@code fetch.max.wait.ms}
 * (500 ms by default), hence {@link #staleAfter(Properties)}. This turns unknown a stream thread
 * stuck in processing (the classic consumer fetches only inside {@code poll}), a dead fetcher,
 * and a consumer whose partitions are all paused.
 *
 * <p>Waking up is not enough either. A consumer that was silent for longer than
 * {@code staleAfter}, or a process whose refresher missed its turns (SIGSTOP, a long GC pause),
 * first completes the fetches that were in flight when it stopped: their responses waited in
 * the socket and carry the lags of then, often zero, while records piled up. Its lags stay
 * unknown for another {@code staleAfter} after it moves again, by which time every such
 * response has been read and fetches sent after the wake-up have completed
 * ({@code PausedPartitionIntegrationTest} decided traces early without this).
 *
 * <h2>What the task holds</h2>
 * {@code TaskMetadata.committedOffsets()} and {@code endOffsets()} are live read-only views of
 * the stream task's own maps ({@code TaskMetadataImpl} wraps {@code StreamTask.committedOffsets()}
 * and {@code highWaterMark()}; 4.4.0 as 4.0): one key per input partition put when the task is
 * made (-1), values replaced by {@code TaskExecutor.updateTaskCommitMetadata} after each commit
 * and by {@code TaskManager.updateTaskEndMetadata} after each poll with records. Replacing a
 * value changes no structure, so another thread may read them.
 *
 * <p>Read order matters: metrics first, then per partition the committed offset, then the polled
 * one. Each only grows, so a later read of the polled offset can only overcount the queue. The
 * one window left is between the consumer recording a lag and Streams noting that poll's highest
 * offset (a few microseconds on the stream thread), where one refresh can miss that poll's
 * records.
 *
 * <p>What it cannot tell: a partition whose leader moved keeps its last {@code records-lag}
 * until it is fetched from the new leader; records of an open upstream transaction count only
 * once it commits (they are not readable before).
 */
public final class ConsumerLag implements InputLag, MeterBinder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsumerLag.class);

  static final Duration REFRESH_INTERVAL = Duration.ofMillis(500);
  static final Duration MIN_STALE_AFTER = Duration.ofSeconds(2);
  static final long NEVER = Long.MIN_VALUE;
  /** Where Kafka Streams looks for a main consumer's setting, most specific first. */
  private static final String[] FETCH_MAX_WAIT_KEYS = {
      "main.consumer.fetch.max.wait.ms", "consumer.fetch.max.wait.ms", "fetch.max.wait.ms"};
  private static final long DEFAULT_FETCH_MAX_WAIT_MS = 500;

  /** What a refresh reads; a {@link KafkaStreams} in production, a fake in tests. */
  interface Source {
    /** RUNNING or REBALANCING: otherwise nothing is known. */
    boolean running();

    Map<MetricName, ? extends Metric> metrics();

    /**
     * Each main consumer's client id, with the input partitions of its thread's active tasks and
     * how far each task got. Read after {@link #metrics()}; per partition, committed before polled.
     */
    Map<String, Map<TopicPartition, TaskProgress>> mainConsumers();
  }

  /**
   * A consumer's {@code fetch-total} when last seen, when it last moved, and from when its lags
   * count (later than the move after a silence: see the class note).
   */
  private record Liveness(double fetches, long movedAtMs, long trustedFromMs) {
    Liveness seen(double fetchesNow, long atMs, long staleAfterMs, boolean frozen) {
      if (fetchesNow == fetches) {
        return frozen ? new Liveness(fetches, movedAtMs, atMs + staleAfterMs) : this;
      }
      boolean woke = frozen || (movedAtMs != NEVER && atMs - movedAtMs > staleAfterMs);
      return new Liveness(fetchesNow, atMs, woke ? atMs + staleAfterMs : trustedFromMs);
    }

    boolean trusted(long atMs, long staleAfterMs) {
      return movedAtMs != NEVER && atMs - movedAtMs <= staleAfterMs && atMs >= trustedFromMs;
    }
  }

  private final long refreshEveryMs;
  private final long staleAfterMs;
  private final LongSupplier clockMs;
  private final Map<String, Liveness> liveness = new HashMap<>(); // refresher thread only
  private volatile LagTable table = LagTable.EMPTY;
  private volatile long tableAtMs;
  private long refreshedAtMs = NEVER; // refresher thread only
  private Source source;
  private ScheduledExecutorService refresher;
  private volatile boolean closed;
  private boolean failing;
  private String lastSummary = "";

  /** @param staleAfter how long a consumer may go without a fetch before its lags are unknown */
  public ConsumerLag(Duration staleAfter) {
    this(REFRESH_INTERVAL, staleAfter, () -> System.nanoTime() / 1_000_000);
  }

  ConsumerLag(Duration refreshEvery, Duration staleAfter, LongSupplier clockMs) {
    if (refreshEvery.isNegative() || refreshEvery.isZero()) {
      throw new IllegalArgumentException("refresh interval must be positive, was " + refreshEvery);
    }
    if (staleAfter.compareTo(refreshEvery) <= 0) {
      throw new IllegalArgumentException("staleAfter (" + staleAfter
          + ") must be longer than the refresh interval (" + refreshEvery + ")");
    }
    this.refreshEveryMs = refreshEvery.toMillis();
    this.staleAfterMs = staleAfter.toMillis();
    this.clockMs = clockMs;
  }

  /**
   * How long a main consumer may complete no fetch before its lags are unknown: three of its
   * {@code fetch.max.wait.ms} (the longest an idle fetch waits at the broker), at least 2 s.
   * Short, because a frozen process (a long GC pause, a stopped VM) wakes up with a lag of zero
   * from before the freeze while records piled up meanwhile.
   */
  public static Duration staleAfter(Properties streamsProps) {
    long waitMs = DEFAULT_FETCH_MAX_WAIT_MS;
    for (String key : FETCH_MAX_WAIT_KEYS) {
      Object value = streamsProps.get(key);
      if (value != null) {
        try {
          waitMs = Long.parseLong(value.toString().trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(key + " must be a number of milliseconds, was '" + value + "'");
        }
        break;
      }
    }
    return Duration.ofMillis(Math.max(MIN_STALE_AFTER.toMillis(), 3 * waitMs));
  }

  /** Binds to the client whose consumers it reads; once. */
  public void bind(KafkaStreams streams) {
    bind(new StreamsLagSource(streams));
  }

  synchronized void bind(Source s) {
    if (source != null) {
      throw new IllegalStateException("already bound to a Kafka Streams client");
    }
    source = s;
  }

  /** Starts refreshing on a daemon thread of its own; the client may start before or after. */
  public synchronized void start() {
    if (source == null) {
      throw new IllegalStateException("bind(KafkaStreams) before start()");
    }
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (refresher != null) {
      throw new IllegalStateException("already started");
    }
    refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tailstream-input-lag");
      t.setDaemon(true);
      return t;
    });
    refresher.scheduleWithFixedDelay(this::refreshSafely, 0, refreshEveryMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public long lag(String topic, int partition) {
    // A snapshot the refresher did not renew (it was frozen with the process, or starved of CPU)
    // says nothing about now: the process may have woken with records piled up.
    if (clockMs.getAsLong() - tableAtMs > 3 * refreshEveryMs) {
      return UNKNOWN;
    }
    return table.lag(topic, partition);
  }

  /** Partitions whose lag is known at the last refresh. */
  public int known() {
    return table.known();
  }

  /** Partitions known to be read to their end at the last refresh. */
  public int caughtUp() {
    return table.caughtUp();
  }

  /** {@code tailstream_input_partitions{state="known"|"caught_up"}}. */
  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("tailstream.input.partitions", this, ConsumerLag::known).tag("state", "known")
        .description("input partitions of this instance whose lag is known").register(registry);
    Gauge.builder("tailstream.input.partitions", this, ConsumerLag::caughtUp).tag("state", "caught_up")
        .description("input partitions of this instance processed to their end (lag 0)").register(registry);
  }

  private void refreshSafely() {
    try {
      refresh();
      failing = false;
    } catch (RuntimeException e) {
      // Unknown is the safe answer: the input clock then moves only with what was read.
      liveness.clear();
      publish(LagTable.EMPTY);
      if (!failing) {
        log.warn("reading consumer lag failed; every input partition counts as not caught up "
            + "until a refresh succeeds (retried every {} ms)", refreshEveryMs, e);
      }
      failing = true;
    }
  }

  /** One refresh; on the refresher thread (or a test's). */
  void refresh() {
    long now = clockMs.getAsLong();
    boolean frozen = refreshedAtMs != NEVER && now - refreshedAtMs > 3 * refreshEveryMs;
    refreshedAtMs = now;
    Source s;
    synchronized (this) {
      s = source;
    }
    if (s == null || !s.running()) {
      liveness.clear();
      publish(LagTable.EMPTY);
      return;
    }
    Map<MetricName, ? extends Metric> metrics = s.metrics(); // before the offsets: see the note
    Map<String, Map<TopicPartition, TaskProgress>> owned = s.mainConsumers();
    Map<String, Set<TopicPartition>> partitions = new HashMap<>();
    owned.forEach((client, progress) -> partitions.put(client, progress.keySet()));
    Map<String, FetchMetricsReader.Reading> readings = FetchMetricsReader.read(metrics, partitions);
    if (frozen && !liveness.isEmpty()) {
      log.info("input lag was not read for over {} ms (a paused or starved process): every input "
          + "partition counts as not caught up for the next {} ms", 3 * refreshEveryMs, staleAfterMs);
    }
    liveness.keySet().retainAll(readings.keySet());
    Map<TopicPartition, Long> trusted = new HashMap<>();
    readings.forEach((client, reading) -> {
      Liveness before = liveness.get(client);
      Liveness after = before == null
          ? new Liveness(reading.fetches(), NEVER, frozen ? now + staleAfterMs : NEVER) // trusted once it moves
          : before.seen(reading.fetches(), now, staleAfterMs, frozen);
      liveness.put(client, after);
      if (after.trusted(now, staleAfterMs)) {
        reading.lags().forEach((tp, toEnd) -> {
          long queued = owned.get(client).get(tp).queued();
          if (queued != UNKNOWN) {
            // Two consumers for one partition only in a hand-over: the larger lag is the safe one.
            trusted.merge(tp, toEnd + queued, Math::max);
          }
        });
      }
    });
    publish(LagTable.of(trusted));
  }

  private void publish(LagTable next) {
    if (closed) {
      next = LagTable.EMPTY; // a refresh that outlived close() publishes nothing
    }
    table = next;
    tableAtMs = clockMs.getAsLong();
    String summary = next.toString();
    if (!summary.equals(lastSummary)) {
      log.debug("input lag: {}", summary);
      lastSummary = summary;
    }
  }

  /** Stops refreshing; every lag is unknown from here on. Idempotent. */
  @Override
  public void close() {
    ScheduledExecutorService r;
    synchronized (this) {
      closed = true;
      r = refresher;
    }
    if (r != null) {
      r.shutdownNow();
      try {
        r.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    table = LagTable.EMPTY;
  }

  @Override
  public String toString() {
    return "ConsumerLag[" + table + ", stale after " + staleAfterMs + " ms]";
  }
}
