package io.tailstream.app;

import static io.tailstream.app.FakeFetchMetrics.MAIN;
import static io.tailstream.app.FakeFetchMetrics.MAIN_2;
import static io.tailstream.buffer.InputLag.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumerLagTest {
  private static final TopicPartition IN_0 = new TopicPartition("spans", 0);
  private static final TopicPartition IN_1 = new TopicPartition("spans", 1);
  private static final Duration STALE_AFTER = Duration.ofSeconds(5);
  /** Polled up to offset 99 and committed 100: nothing queued. */
  private static final TaskProgress DRAINED = new TaskProgress(100, 99);

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final FakeSource source = new FakeSource();
  private final ConsumerLag lag = new ConsumerLag(Duration.ofMillis(500), STALE_AFTER, now::get);

  /** The fake client: what its metrics say and which thread owns what. */
  private static final class FakeSource implements ConsumerLag.Source {
    volatile boolean running = true;
    volatile FakeFetchMetrics metrics = new FakeFetchMetrics();
    /** When set, replaces {@link #metrics} on every read. */
    volatile Supplier<FakeFetchMetrics> live;
    volatile Map<String, Map<TopicPartition, TaskProgress>> owned = owns(MAIN, IN_0, IN_1);
    volatile RuntimeException failure;

    @Override
    public boolean running() {
      return running;
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
      if (failure != null) {
        throw failure;
      }
      return (live != null ? live.get() : metrics).map();
    }

    @Override
    public Map<String, Map<TopicPartition, TaskProgress>> mainConsumers() {
      return owned;
    }
  }

  /** A consumer whose tasks processed and committed all they polled. */
  private static Map<String, Map<TopicPartition, TaskProgress>> owns(String client, TopicPartition... tps) {
    Map<TopicPartition, TaskProgress> progress = new HashMap<>();
    for (TopicPartition tp : tps) {
      progress.put(tp, DRAINED);
    }
    return Map.of(client, progress);
  }

  /** One refresh after the consumer completed {@code fetches} fetches in all, {@code ms} later. */
  private void refreshAt(long ms, double fetches, double lag0, double lag1) {
    now.addAndGet(ms);
    source.metrics = new FakeFetchMetrics().fetches(MAIN, fetches).lag(MAIN, "spans", 0, lag0)
        .lag(MAIN, "spans", 1, lag1);
    lag.refresh();
  }

  @Test
  void everyLagIsUnknownBeforeTheFirstRefresh() {
    lag.bind(source);

    assertThat(lag.lag("spans", 0)).isEqualTo(UNKNOWN);
    assertThat(lag.known()).isZero();
  }

  @Test
  void aSnapshotTheRefresherDidNotRenewIsUnknownAsAFrozenProcessWakesUp() {
    lag.bind(source);
    refreshAt(0, 10, 0, 0);
    refreshAt(500, 11, 0, 0);
    assertThat(lag.lag("spans", 0)).isZero();
    now.addAndGet(6_000); // SIGSTOP, a long GC pause: records piled up, the lag of zero is old
    assertThat(lag.lag("spans", 0)).isEqualTo(UNKNOWN);
  }

  @Test
  void aConsumerCountsOnlyOnceItIsSeenToCompleteAFetch() {
    lag.bind(source);
    refreshAt(0, 10, 0, 25);
    assertThat(lag.lag("spans", 0)).as("first sighting: maybe a dead fetcher").isEqualTo(UNKNOWN);

    refreshAt(500, 11, 0, 25);

    assertThat(lag.lag("spans", 0)).isZero();
    assertThat(lag.lag("spans", 1)).isEqualTo(25);
    assertThat(lag.known()).isEqualTo(2);
    assertThat(lag.caughtUp()).isEqualTo(1);
  }

  @Test
  void recordsTheTaskHoldsUnprocessedCountAsLag() {
    // The consumer has fetched everything (records-lag 0), the task has not processed it.
    lag.bind(source);
    source.owned = Map.of(MAIN, Map.of(IN_0, new TaskProgress(100, 899), IN_1, new TaskProgress(TaskProgress.NONE, 5)));
    refreshAt(0, 1, 0, 0);
    refreshAt(500, 2, 0, 0);

    assertThat(lag.lag("spans", 0)).isEqualTo(800);
    assertThat(lag.lag("spans", 1)).as("polled but never committed").isEqualTo(UNKNOWN);

    source.owned = owns(MAIN, IN_0, IN_1);
    refreshAt(500, 3, 2, 0);
    assertThat(lag.lag("spans", 0)).isEqualTo(2);
    assertThat(lag.lag("spans", 1)).isZero();
  }

  @Test
  void anIdleCaughtUpPartitionStaysCaughtUpWhileItsConsumerKeepsFetching() {
    // The broker leaves an idle partition out of incremental fetch responses: its records-lag
    // is recorded once and never changes, yet it is current.
    lag.bind(source);
    refreshAt(0, 1, 0, 0);
    for (int i = 2; i <= 120; i++) {
      refreshAt(500, i, 0, 0);
    }

    assertThat(lag.lag("spans", 0)).as("after a minute of empty fetches").isZero();
  }

  @Test
  void lagsTurnUnknownWhenTheirConsumerStopsFetchingAndReturnStaleAfterLaterWhenItResumes() {
    lag.bind(source);
    refreshAt(0, 1, 0, 0);
    refreshAt(500, 2, 0, 0);
    silentFor(STALE_AFTER.toMillis(), 2);
    assertThat(lag.lag("spans", 0)).as("exactly staleAfter without a fetch").isZero();

    refreshAt(1, 2, 0, 0);
    assertThat(lag.lag("spans", 0)).as("stuck thread, dead fetcher or all paused").isEqualTo(UNKNOWN);
    assertThat(lag.known()).isZero();

    // Its first fetches after the silence may be responses that waited in the socket, with the
    // lags of before: they count only staleAfter after it moved again.
    refreshAt(500, 3, 0, 0);
    assertThat(lag.lag("spans", 0)).as("just woke").isEqualTo(UNKNOWN);
    fetchingFor(STALE_AFTER.toMillis() - 500, 3);
    assertThat(lag.lag("spans", 0)).as("still within staleAfter of waking").isEqualTo(UNKNOWN);
    refreshAt(500, 20, 0, 0);
    assertThat(lag.lag("spans", 0)).isZero();
  }

  @Test
  void aProcessThatWasFrozenCountsNoLagForStaleAfterEvenIfItsConsumerFetchedAtOnce() {
    lag.bind(source);
    refreshAt(0, 10, 0, 0);
    refreshAt(500, 11, 0, 0);
    assertThat(lag.lag("spans", 0)).isZero();

    // SIGCONT after 1.8 s: shorter than staleAfter, longer than three refresh intervals. The
    // consumer completes the fetch that was in flight (lag 0, as of before the freeze).
    refreshAt(1_800, 12, 0, 0);
    assertThat(lag.lag("spans", 0)).isEqualTo(UNKNOWN);
    fetchingFor(STALE_AFTER.toMillis() - 500, 12);
    assertThat(lag.lag("spans", 0)).as("still within staleAfter of waking").isEqualTo(UNKNOWN);
    refreshAt(500, 100, 0, 0);
    assertThat(lag.lag("spans", 0)).isZero();
  }

  /** Refreshes every 500 ms for {@code ms}, the consumer completing no fetch, lags 0. */
  private void silentFor(long ms, double fetches) {
    for (long t = 500; t <= ms; t += 500) {
      refreshAt(500, fetches, 0, 0);
    }
  }

  /** Refreshes every 500 ms for {@code ms}, the consumer completing a fetch each time, lags 0. */
  private void fetchingFor(long ms, double fetchesBefore) {
    double fetches = fetchesBefore;
    for (long t = 500; t <= ms; t += 500) {
      refreshAt(500, ++fetches, 0, 0);
    }
  }

  @Test
  void oneStaleConsumerDoesNotHideAnother() {
    lag.bind(source);
    source.owned = Map.of(MAIN, Map.of(IN_0, DRAINED), MAIN_2, Map.of(IN_1, DRAINED));
    for (int i = 1; i <= 15; i++) {
      now.addAndGet(500);
      source.metrics = new FakeFetchMetrics().fetches(MAIN, i).lag(MAIN, "spans", 0, 0)
          .fetches(MAIN_2, Math.min(i, 2)).lag(MAIN_2, "spans", 1, 0);
      lag.refresh();
    }

    assertThat(lag.lag("spans", 0)).isZero();
    assertThat(lag.lag("spans", 1)).isEqualTo(UNKNOWN);
  }

  @Test
  void aPartitionNoLongerOwnedIsUnknownAtOnce() {
    lag.bind(source);
    refreshAt(0, 1, 0, 0);
    refreshAt(500, 2, 0, 0);

    source.owned = owns(MAIN, IN_0);
    refreshAt(500, 3, 0, 0);

    assertThat(lag.lag("spans", 1)).isEqualTo(UNKNOWN);
    assertThat(lag.lag("spans", 0)).isZero();
  }

  @Test
  void nothingIsKnownWhileTheClientIsNotRunningNorAfterItRunsAgainUntilAFetch() {
    lag.bind(source);
    refreshAt(0, 1, 0, 0);
    refreshAt(500, 2, 0, 0);

    source.running = false;
    refreshAt(500, 3, 0, 0);
    assertThat(lag.lag("spans", 0)).isEqualTo(UNKNOWN);

    source.running = true;
    refreshAt(500, 4, 0, 0);
    assertThat(lag.lag("spans", 0)).as("seen anew: not trusted yet").isEqualTo(UNKNOWN);
  }

  @Test
  void aFailedReadMakesEverythingUnknownAndTheNextOneRecovers() {
    lag.bind(source);
    refreshAt(0, 1, 0, 0);
    refreshAt(500, 2, 0, 0);
    source.failure = new IllegalStateException("metrics closed");

    lag.start(); // the scheduled refresh runs at once, fails, and is retried
    awaitUntil(() -> lag.lag("spans", 0) == UNKNOWN);
    AtomicLong fetches = new AtomicLong(2);
    source.live = () -> {
      now.addAndGet(500);
      return new FakeFetchMetrics().fetches(MAIN, fetches.incrementAndGet()).lag(MAIN, "spans", 0, 0);
    };
    source.failure = null;
    awaitUntil(() -> lag.lag("spans", 0) == 0);
    lag.close();

    assertThat(lag.lag("spans", 0)).as("closed").isEqualTo(UNKNOWN);
  }

  @Test
  void readsAreOfTheLastRefreshForUnknownTopicsAndPartitionsToo() {
    lag.bind(source);
    refreshAt(0, 1, 3, 4);
    refreshAt(500, 2, 3, 4);

    assertThat(lag.lag("spans", 1)).isEqualTo(4);
    assertThat(lag.lag("spans", 2)).isEqualTo(UNKNOWN);
    assertThat(lag.lag("spans", -1)).isEqualTo(UNKNOWN);
    assertThat(lag.lag("other", 0)).isEqualTo(UNKNOWN);
    assertThat(lag.lag(null, 0)).isEqualTo(UNKNOWN);
  }

  @Test
  void gaugesCountKnownAndCaughtUpPartitions() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    lag.bindTo(registry);
    lag.bind(source);
    refreshAt(0, 1, 0, 9);
    refreshAt(500, 2, 0, 9);

    assertThat(registry.get("tailstream.input.partitions").tag("state", "known").gauge().value()).isEqualTo(2);
    assertThat(registry.get("tailstream.input.partitions").tag("state", "caught_up").gauge().value()).isEqualTo(1);
  }

  @Test
  void staleAfterIsThreeFetchWaitsAndAtLeastTwoSeconds() {
    assertThat(ConsumerLag.staleAfter(new Properties())).isEqualTo(Duration.ofSeconds(2));
    assertThat(ConsumerLag.staleAfter(props(Map.of("fetch.max.wait.ms", "3000")))).isEqualTo(Duration.ofSeconds(9));
    assertThat(ConsumerLag.staleAfter(props(Map.of("fetch.max.wait.ms", "3000",
        "main.consumer.fetch.max.wait.ms", "2000")))).as("the main consumer's own setting wins")
        .isEqualTo(Duration.ofSeconds(6));
    assertThatThrownBy(() -> ConsumerLag.staleAfter(props(Map.of("consumer.fetch.max.wait.ms", "soon"))))
        .hasMessage("consumer.fetch.max.wait.ms must be a number of milliseconds, was 'soon'");
  }

  @Test
  void lifecycleMisuseIsRefusedWithWhatToDo() {
    assertThatThrownBy(lag::start).hasMessage("bind(KafkaStreams) before start()");
    lag.bind(source);
    assertThatThrownBy(() -> lag.bind(source)).hasMessage("already bound to a Kafka Streams client");
    lag.close();
    assertThatThrownBy(lag::start).hasMessage("closed");
    assertThatThrownBy(() -> new ConsumerLag(Duration.ofSeconds(1), Duration.ofMillis(500), now::get))
        .hasMessageContaining("must be longer than the refresh interval");
  }

  private static Properties props(Map<String, String> values) {
    Properties p = new Properties();
    p.putAll(new HashMap<>(values));
    return p;
  }

  private static void awaitUntil(java.util.function.BooleanSupplier condition) {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 20 s").isLessThan(end);
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
