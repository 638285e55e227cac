package io.tailstream.app;

import static io.tailstream.app.FakeFetchMetrics.GLOBAL;
import static io.tailstream.app.FakeFetchMetrics.MAIN;
import static io.tailstream.app.FakeFetchMetrics.MAIN_2;
import static io.tailstream.app.FakeFetchMetrics.RESTORE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class FetchMetricsReaderTest {
  private static final TopicPartition IN_0 = new TopicPartition("spans", 0);
  private static final TopicPartition IN_1 = new TopicPartition("spans", 1);

  @Test
  void readsEachOwnedPartitionsLagAndTheConsumersFetchCount() {
    var metrics = new FakeFetchMetrics().fetches(MAIN, 42).lag(MAIN, "spans", 0, 17).lag(MAIN, "spans", 1, 0);

    var readings = FetchMetricsReader.read(metrics.map(), Map.of(MAIN, Set.of(IN_0, IN_1)));

    assertThat(readings).containsOnlyKeys(MAIN);
    assertThat(readings.get(MAIN).fetches()).isEqualTo(42);
    assertThat(readings.get(MAIN).lags()).isEqualTo(Map.of(IN_0, 17L, IN_1, 0L));
  }

  @Test
  void restoreAndGlobalConsumersDoNotCountEvenForTheSamePartition() {
    // With source-topic changelogs the restore consumer reads the input topic itself.
    var metrics = new FakeFetchMetrics().fetches(MAIN, 5).lag(MAIN, "spans", 0, 300)
        .fetches(RESTORE, 9).lag(RESTORE, "spans", 0, 0)
        .fetches(GLOBAL, 9).lag(GLOBAL, "spans", 0, 0);

    var readings = FetchMetricsReader.read(metrics.map(), Map.of(MAIN, Set.of(IN_0)));

    assertThat(readings).containsOnlyKeys(MAIN);
    assertThat(readings.get(MAIN).lags()).isEqualTo(Map.of(IN_0, 300L));
  }

  @Test
  void aDottedTopicIsReadUnderItsOwnNameNotItsUnderscoreAlias() {
    // Kafka 4.4 records both: the name as it is, and a deprecated copy with '.' → '_'.
    TopicPartition dotted = new TopicPartition("otlp.spans", 2);
    var metrics = new FakeFetchMetrics().fetches(MAIN, 1)
        .lag(MAIN, "otlp.spans", 2, 12).lag(MAIN, "otlp_spans", 2, 0);

    var readings = FetchMetricsReader.read(metrics.map(), Map.of(MAIN, Set.of(dotted)));

    assertThat(readings.get(MAIN).lags()).isEqualTo(Map.of(dotted, 12L));
  }

  @Test
  void aPartitionItsThreadNoLongerOwnsIsLeftOut() {
    // The revoked partition's sensor lives until its former consumer's next fetch round.
    var metrics = new FakeFetchMetrics().fetches(MAIN, 3).lag(MAIN, "spans", 0, 0).lag(MAIN, "spans", 1, 0)
        .fetches(MAIN_2, 3).lag(MAIN_2, "spans", 1, 40);

    var readings = FetchMetricsReader.read(metrics.map(), Map.of(MAIN, Set.of(IN_0), MAIN_2, Set.of(IN_1)));

    assertThat(readings.get(MAIN).lags()).isEqualTo(Map.of(IN_0, 0L));
    assertThat(readings.get(MAIN_2).lags()).isEqualTo(Map.of(IN_1, 40L));
  }

  @Test
  void valuesThatAreNoLagLeaveThePartitionOut() {
    var metrics = new FakeFetchMetrics().fetches(MAIN, 3)
        .lag(MAIN, "spans", 0, Double.NaN)
        .lag(MAIN, "spans", 1, -1)
        .raw("records-lag", Map.of("client-id", MAIN, "topic", "spans", "partition", "x"), 0.0)
        .raw("records-lag", Map.of("client-id", MAIN, "topic", "other", "partition", "0"), "zero");
    var owned = Map.of(MAIN, Set.of(IN_0, IN_1, new TopicPartition("other", 0)));

    var readings = FetchMetricsReader.read(metrics.map(), owned);

    assertThat(readings.get(MAIN).lags()).isEmpty();
  }

  @Test
  void aConsumerWithoutAFetchCountIsNotRead() {
    var metrics = new FakeFetchMetrics().lag(MAIN, "spans", 0, 0);

    assertThat(FetchMetricsReader.read(metrics.map(), Map.of(MAIN, Set.of(IN_0)))).isEmpty();
  }

  @Test
  void perTopicFetchMetricsAreNotTheConsumersFetchCount() {
    var metrics = new FakeFetchMetrics().fetches(MAIN, 7)
        .raw("fetch-total", Map.of("client-id", MAIN, "topic", "spans"), 1000.0);

    assertThat(FetchMetricsReader.read(metrics.map(), Map.of(MAIN, Set.of())).get(MAIN).fetches())
        .isEqualTo(7);
  }
}
