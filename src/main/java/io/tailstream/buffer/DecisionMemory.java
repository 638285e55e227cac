package io.tailstream.buffer;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.tailstream.decide.Decision;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * What one task remembers of the traces it decided, for the late-span TTL, so that a late span
 * follows its trace's decision.
 *
 * <p>A kept trace's decision is stored per trace (its late spans go out with its rule and
 * threshold), with a Caffeine cache in front. Dropped traces, most of them, only need their
 * ids: they are gathered and written as one record per {@link #flush}, which the processor
 * calls before it returns to Kafka Streams (which may commit). The {@link DecidedIndex} answers
 * "decided, and how?" in memory; it is rebuilt from both stores when the task starts.
 *
 * <p>Times are the task's input clock, as for the buffer, so a decision is remembered for the
 * same stretch of input however fast it is read.
 */
public final class DecisionMemory {
  private static final Bytes DROPPED_BATCH_KEY = Bytes.wrap(new byte[] {'d'});

  private final Duration ttl;
  private final WindowStore<Bytes, Decision> decisions;
  private final WindowStore<Bytes, byte[]> dropped;
  private final DecidedIndex index;
  private final Cache<Bytes, Decision> cache;
  /** Ids of traces dropped since the last flush, 16 bytes each. */
  private final ByteArrayOutputStream pendingDropped = new ByteArrayOutputStream(4096);

  /** @param clockMs the task's input clock, for the cache's expiry */
  public DecisionMemory(Duration ttl, WindowStore<Bytes, Decision> decisions,
      WindowStore<Bytes, byte[]> dropped, LongSupplier clockMs) {
    this.ttl = ttl;
    this.decisions = decisions;
    this.dropped = dropped;
    this.index = new DecidedIndex(ttl.toMillis());
    this.cache = Caffeine.newBuilder()
        .ticker(() -> clockMs.getAsLong() * 1_000_000L)
        .expireAfterWrite(ttl)
        .maximumSize(100_000)
        .build();
    try (KeyValueIterator<Windowed<Bytes>, Decision> all = decisions.all()) {
      while (all.hasNext()) {
        KeyValue<Windowed<Bytes>, Decision> decided = all.next();
        index.add(decided.key.key(), decided.value.kept(), decided.key.window().start());
      }
    }
    try (KeyValueIterator<Windowed<Bytes>, byte[]> all = dropped.all()) {
      while (all.hasNext()) {
        KeyValue<Windowed<Bytes>, byte[]> batch = all.next();
        for (int i = 0; i + 16 <= batch.value.length; i += 16) {
          index.add(Bytes.wrap(Arrays.copyOfRange(batch.value, i, i + 16)), false,
              batch.key.window().start());
        }
      }
    }
  }

  /** Whether the trace was decided within the TTL before {@code nowMs}, and how. */
  public DecidedIndex.State state(Bytes traceId, long nowMs) {
    return index.state(traceId, nowMs);
  }

  /** The decision of a kept trace, or null once the store let it expire. */
  public Decision kept(Bytes traceId, long nowMs) {
    Decision cached = cache.getIfPresent(traceId);
    if (cached != null) {
      return cached;
    }
    Decision found = null;
    try (WindowStoreIterator<Decision> it = decisions.fetch(traceId, nowMs - ttl.toMillis(), nowMs)) {
      while (it.hasNext()) {
        found = it.next().value; // the newest one wins
      }
    }
    return found;
  }

  public void remember(Bytes traceId, Decision decision, long nowMs) {
    if (decision.kept()) {
      decisions.put(traceId, decision, nowMs);
      cache.put(traceId, decision);
    } else {
      pendingDropped.writeBytes(traceId.get());
    }
    index.add(traceId, decision.kept(), nowMs);
  }

  /** Writes the ids dropped since the last call. */
  public void flush(long nowMs) {
    if (pendingDropped.size() > 0) {
      dropped.put(DROPPED_BATCH_KEY, pendingDropped.toByteArray(), nowMs);
      pendingDropped.reset();
    }
  }

  public void close() {
    index.clear();
    pendingDropped.reset();
    cache.invalidateAll();
  }
}
