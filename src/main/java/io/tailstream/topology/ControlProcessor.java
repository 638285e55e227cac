package io.tailstream.topology;

import io.tailstream.adapt.BoostMessages;
import io.tailstream.adapt.BoostTable;
import io.tailstream.metrics.TailstreamMetrics;
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
 * reads whole as a global store. A boost's TTL counts from its record's timestamp, so restarts
 * and replays never extend it. Invalid messages are logged, counted and ignored.
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
    try (KeyValueIterator<String, ValueAndTimestamp<byte[]>> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, ValueAndTimestamp<byte[]>> e = all.next();
        apply(e.key, e.value.value(), e.value.timestamp(), false);
      }
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (apply(record.key(), record.value(), record.timestamp(), true)) {
      if (record.value() == null) {
        store.delete(record.key());
      } else {
        store.put(record.key(), ValueAndTimestamp.make(record.value(), record.timestamp()));
      }
    }
  }

  /** Applies one message; false when it was refused. */
  private boolean apply(String key, byte[] value, long writtenAtMs, boolean fresh) {
    long now = context.currentSystemTimeMs();
    try {
      BoostMessages.Command command = BoostMessages.parse(key, value, writtenAtMs, limits);
      if (command instanceof BoostMessages.Start start) {
        if (start.boost().expired(now)) {
          boosts.remove(start.id(), now);
        } else {
          boosts.put(start.boost(), now);
          if (fresh) {
            log.info("boost {} active: {} for {} until {} ({})", start.id(), start.boost().effect(),
                start.boost().scopeKey(), java.time.Instant.ofEpochMilli(start.boost().expiresAtMs()),
                start.boost().reason());
          }
        }
      } else {
        boosts.remove(command.id(), now);
        if (fresh) {
          log.info("boost {} cancelled", command.id());
        }
      }
      return true;
    } catch (IllegalArgumentException e) {
      metrics.controlRejected();
      log.warn("control message {} refused: {}", key, e.getMessage());
      return false;
    }
  }
}
