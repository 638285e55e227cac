package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostMessages;
import io.tailstream.adapt.SpikeDetector;
import io.tailstream.config.AdaptSettings;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class AutoBoosterTest {
  private static final long MS = 1_000_000L;

  private final AdaptSettings settings = AdaptSettings.defaults(); // 10 s interval, 15 m TTL, 2 m cooldown
  private final SpikeDetector detector = new SpikeDetector(new SpikeDetector.Settings(
      settings.errorRateFactor(), settings.errorRateFloor(), settings.latencyFactor(),
      settings.latencyFloor().toNanos(), settings.minTraces(), settings.cooldown().toMillis()));
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  private final AutoBooster booster = new AutoBooster(detector, producer, "control", settings);
  private long now;

  private void interval(int errorsOf500) {
    for (int i = 0; i < 500; i++) {
      detector.observe("ranker", null, 100 * MS, i < errorsOf500);
    }
    now += 10_000;
    booster.evaluate(now);
  }

  @Test
  void writesAnAutoBoostForTheSpikingScopeRenewsItAndCancelsAfterRecovery() {
    for (int i = 0; i < 5; i++) {
      interval(5);
    }
    assertThat(producer.history()).isEmpty();
    interval(150);
    ProducerRecord<String, byte[]> start = producer.history().get(0);
    assertThat(start.topic()).isEqualTo("control");
    assertThat(start.key()).isEqualTo("auto-service-ranker");
    Boost boost = ((BoostMessages.Start) BoostMessages.parse(start.key(), start.value(), now,
        new BoostMessages.Limits(100, Duration.ofHours(24), 50))).boost();
    assertThat(boost.auto()).isTrue();
    assertThat(boost.service()).isEqualTo("ranker");
    assertThat(boost.sample()).isEqualTo(0.5);
    assertThat(boost.expiresAtMs()).isEqualTo(now + Duration.ofMinutes(15).toMillis());
    assertThat(boost.reason()).startsWith("auto: error rate 30.0%");

    for (int i = 0; i < 45; i++) { // 7.5 minutes of spike: renewed at half the TTL
      interval(150);
    }
    assertThat(producer.history()).hasSize(2);
    assertThat(producer.history().get(1).value()).isNotNull();

    for (int i = 0; i < 12; i++) { // recovered for the 2 m cooldown
      interval(5);
    }
    List<ProducerRecord<String, byte[]>> all = producer.history();
    ProducerRecord<String, byte[]> end = all.get(all.size() - 1);
    assertThat(end.key()).isEqualTo("auto-service-ranker");
    assertThat(end.value()).as("tombstone").isNull();
  }
}
