package io.tailstream.topology;

import static io.tailstream.adapt.ControlRefusal.show;

import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostMessages;
import io.tailstream.adapt.BoostTable;
import io.tailstream.adapt.ControlRefusal;
import io.tailstream.metrics.TailstreamMetrics;
import java.time.Instant;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the instance's {@link BoostTable} in step with the control topic, which every instance
 * reads whole as a global store (Kafka Streams replays it through this processor at start). A
 * boost's TTL counts from its record's timestamp, or from when it is read if that is earlier, so
 * restarts never extend it and a timestamp in the future cannot stretch it past
 * {@code boosts.max-ttl}.
 *
 * <p>Whatever the record — any bytes, any key (null included), any headers, any timestamp — it is
 * applied or refused, never thrown: an exception out of here would stop the global thread and so
 * every instance, and each would meet the same record again when it restarts. A refusal is
 * counted by {@link ControlRefusal.Reason} and logged with the key and why, and is not stored.
 */
final class ControlProcessor implements Processor<String, byte[], Void, Void> {
  private static final Logger log = LoggerFactory.getLogger(ControlProcessor.class);

  private final BoostTable boosts;
  private final BoostMessages.Limits limits;
  private final TailstreamMetrics metrics;
  private ProcessorContext<Void, Void> context;
  private TimestampedKeyValueStore<String, byte[]> store;

  ControlProcessor(BoostTable boosts, BoostMessages.Limits limits, TailstreamMetrics metrics) {
    this.boosts = boosts;
    this.limits = limits;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
    this.store = context.getStateStore(StoreNames.CONTROL);
    // Only what was applied is stored: re-applying it (a store kept across restarts) is quiet.
    try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, ValueAndTimestamp<byte[]>> e = all.next();
        apply(e.key, e.value.value(), e.value.timestamp(), false);
      }
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String key = record.key();
    try {
      if (apply(key, record.value(), record.timestamp(), true)) {
        if (record.value() == null) {
          store.delete(key);
        } else {
          store.put(key, ValueAndTimestamp.make(record.value(), record.timestamp()));
        }
      }
    } catch (RuntimeException e) {
      metrics.controlRejected(ControlRefusal.Reason.INTERNAL);
      log.warn("control message {} refused (internal): {}", shownKey(key), e.toString(), e);
    }
  }

  /** Applies one message; false when it was refused (counted and logged). */
  private boolean apply(String key, byte[] value, long writtenAtMs, boolean fresh) {
    long now = context.currentSystemTimeMs();
    try {
      BoostMessages.Command command = BoostMessages.parse(key, value, writtenAtMs, now, limits);
      if (command instanceof BoostMessages.Start start) {
        Boost b = start.boost();
        if (b.expired(now)) {
          boosts.remove(b.id(), now);
          if (fresh) {
            // Recent: the writer's clock may be behind, or the ttl shorter than the trip here.
            boolean recent = now - writtenAtMs < limits.maxTtl().toMillis();
            String message = "boost {} had ended at {} when read (record written at {}); not applied";
            if (recent) {
              log.info(message, show(b.id()), Instant.ofEpochMilli(b.expiresAtMs()), Instant.ofEpochMilli(writtenAtMs));
            } else {
              log.debug(message, show(b.id()), Instant.ofEpochMilli(b.expiresAtMs()), Instant.ofEpochMilli(writtenAtMs));
            }
          }
        } else {
          boosts.put(b, now);
          if (fresh) {
            log.info("boost {} active: {} for {} until {} ({})", show(b.id()), b.effect(),
                show(b.scopeKey()), Instant.ofEpochMilli(b.expiresAtMs()), show(b.reason()));
          }
        }
      } else {
        boosts.remove(command.id(), now);
        if (fresh) {
          log.info("boost {} cancelled", show(command.id()));
        }
      }
      return true;
    } catch (ControlRefusal e) {
      refused(key, e.reason(), e.getMessage());
      return false;
    }
  }

  private void refused(String key, ControlRefusal.Reason reason, String why) {
    metrics.controlRejected(reason);
    log.warn("control message {} refused ({}): {}", shownKey(key), reason.label(), why);
  }

  private static String shownKey(String key) {
    return key == null ? "(no key)" : show(key);
  }
}
