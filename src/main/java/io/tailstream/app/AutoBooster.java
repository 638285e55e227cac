package io.tailstream.app;

import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostMessages;
import io.tailstream.adapt.SpikeDetector;
import io.tailstream.config.AdaptSettings;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns spikes into boosts by writing them to the control topic, like an operator would: every
 * instance applies them, {@code tailstream boosts} lists them (marked auto) and
 * {@code tailstream cancel} ends them. Boost ids are derived from the scope
 * ({@code auto-service-ranker}), so instances that see the same spike write the same boost. While
 * a spike lasts the boost is renewed at half its TTL; when the scope has recovered for the
 * cooldown it is cancelled.
 *
 * <p>Runs on the app's summary thread only, which owns its state: no lock is held while it
 * sends, and no stream thread ever reaches a send (they only feed the detector).
 */
final class AutoBooster {
  private static final Logger log = LoggerFactory.getLogger(AutoBooster.class);

  private final SpikeDetector detector;
  private final Producer<String, byte[]> producer;
  private final String controlTopic;
  private final AdaptSettings settings;
  private final Map<SpikeDetector.Scope, Long> sentAt = new HashMap<>();
  private final Map<SpikeDetector.Scope, String> reasons = new HashMap<>();

  AutoBooster(SpikeDetector detector, Producer<String, byte[]> producer, String controlTopic,
      AdaptSettings settings) {
    this.detector = detector;
    this.producer = producer;
    this.controlTopic = controlTopic;
    this.settings = settings;
  }

  static String id(SpikeDetector.Scope scope) {
    return "auto-" + scope.kind() + "-" + scope.name().replaceAll("[^A-Za-z0-9._:-]", "_");
  }

  void evaluate(long nowMs) {
    for (SpikeDetector.Action a : detector.evaluate(nowMs)) {
      if (a instanceof SpikeDetector.Started s) {
        reasons.put(s.scope(), s.reason());
        send(s.scope(), nowMs);
        log.warn("spike in {}: {}; auto boost {} samples it at {}", s.scope().key(), s.reason(),
            id(s.scope()), settings.autoSample());
      } else {
        sentAt.remove(a.scope());
        reasons.remove(a.scope());
        producer.send(new ProducerRecord<>(controlTopic, id(a.scope()), null));
        log.info("{} recovered; auto boost {} ended", a.scope().key(), id(a.scope()));
      }
    }
    long renewAfter = settings.autoTtl().toMillis() / 2;
    for (Map.Entry<SpikeDetector.Scope, Long> e : Map.copyOf(sentAt).entrySet()) {
      if (nowMs - e.getValue() >= renewAfter && detector.spiking(e.getKey())) {
        send(e.getKey(), nowMs);
      }
    }
  }

  private void send(SpikeDetector.Scope scope, long nowMs) {
    boolean service = scope.kind().equals("service");
    Boost boost = new Boost(id(scope), service ? scope.name() : null, service ? null : scope.name(),
        null, settings.autoSample(), 1, false, nowMs + settings.autoTtl().toMillis(),
        "auto: " + reasons.getOrDefault(scope, "spike"), "tailstream", true);
    producer.send(new ProducerRecord<>(controlTopic, boost.id(), BoostMessages.toJson(boost)));
    sentAt.put(scope, nowMs);
  }
}
