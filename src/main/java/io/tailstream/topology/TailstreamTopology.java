package io.tailstream.topology;

import io.tailstream.adapt.BoostMessages;
import io.tailstream.buffer.BufferLog;
import io.tailstream.buffer.ByTraceRecord;
import io.tailstream.buffer.FragmentBatch;
import io.tailstream.adapt.ByteBudget;
import io.tailstream.buffer.InputLag;
import io.tailstream.buffer.Watermark;
import io.tailstream.config.DecisionSettings;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.ActiveRules;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.TraceAssembler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds tailstream's topology:
 *
 * <pre>
 *  input ─► split ─┬─► dead-letter topic
 *                  └─► [by-trace topic] ─► buffer-and-decide ─┬─► output topic
 *                                                             └─► dead-letter topic
 * </pre>
 *
 * The by-trace topic is skipped when the input is already partitioned by trace id
 * ({@code input.keyed-by-trace-id}), which saves a full pass of every span through the broker:
 * the input itself is then the log buffer-and-decide is rebuilt from.
 */
public final class TailstreamTopology {
  static final String BUFFER_AND_DECIDE = "buffer-and-decide";
  static final String BY_TRACE_SINK = "by-trace-sink";
  static final String DEAD_LETTER_SINK = "dead-letter-sink";

  private TailstreamTopology() {}

  /**
   * The stores of buffer-and-decide. Spans and summaries are not changelogged: they are a cache
   * of the log, rebuilt from it. Changelogged: what the log cannot give back (decisions, dropped
   * ids, the re-read position).
   */
  static List<StoreBuilder<?>> bufferStores(DecisionSettings decision) {
    return List.of(
        Stores.windowStoreBuilder(
                Stores.persistentWindowStore(StoreNames.TRACE_SPANS,
                    BufferAndDecideProcessor.spansRetention(decision), Duration.ofMillis(1), true),
                Serdes.Bytes(), Serdes.ByteArray())
            .withCachingDisabled()
            .withLoggingDisabled(),
        // No record cache: a summary usually outlives a commit interval, so the cache saved few
        // RocksDB writes, while its sorted map and flushes took a quarter of the stream thread.
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.TRACE_STATE),
                Serdes.Bytes(), InternalSerdes.SUMMARY)
            .withCachingDisabled()
            .withLoggingDisabled(),
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.BUFFER_POSITION),
                Serdes.Bytes(), InternalSerdes.POSITION)
            .withCachingEnabled(),
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.BUFFER_LOCAL),
                Serdes.Bytes(), Serdes.ByteArray())
            .withCachingDisabled()
            .withLoggingDisabled(),
        Stores.windowStoreBuilder(
                Stores.persistentWindowStore(StoreNames.DECISIONS, decision.lateSpanTtl(),
                    Duration.ofMillis(1), false),
                Serdes.Bytes(), InternalSerdes.DECISION)
            .withCachingDisabled(),
        Stores.windowStoreBuilder(
                Stores.persistentWindowStore(StoreNames.DROPPED, decision.lateSpanTtl(),
                    Duration.ofMillis(1), true),
                Serdes.Bytes(), Serdes.ByteArray())
            .withCachingDisabled());
  }

  /**
   * Kept traces go to the output; the rare dead letters of buffer-and-decide (a span that fits no
   * record, a trace whose decision threw) carry {@link Headers#ERROR} and go to the dead-letter
   * topic, with no second branch per record.
   */
  private static TopicNameExtractor<String, byte[]> keptOrDeadLetter(String output, String deadLetter) {
    return (key, value, context) ->
        context.headers().lastHeader(Headers.ERROR) == null ? output : deadLetter;
  }

  /**
   * Watermarks go to every partition of the by-trace topic, since every input partition feeds
   * every buffer-and-decide task; a fragment batch to the partition split grouped it for; a
   * single fragment (written by an earlier release) where its trace id hashes.
   */
  static final class ByTracePartitioner implements StreamPartitioner<Bytes, ByTraceRecord> {
    /** The by-trace partition of a trace: Kafka's default partitioner on the trace id's bytes. */
    static int partitionOf(byte[] traceId, int numPartitions) {
      return Utils.toPositive(Utils.murmur2(traceId)) % numPartitions;
    }

    @Override
    public Optional<Set<Integer>> partitions(String topic, Bytes key, ByTraceRecord value, int numPartitions) {
      if (value instanceof Watermark) {
        return Optional.of(IntStream.range(0, numPartitions).boxed().collect(Collectors.toSet()));
      }
      if (value instanceof FragmentBatch batch) {
        if (batch.partition() >= numPartitions) {
          // Split groups by the partition count the topic had at start; it shrank since.
          throw new IllegalStateException("topic " + topic + " has " + numPartitions + " partitions, "
              + "fewer than when tailstream started; partitions cannot be removed from it");
        }
        return Optional.of(Set.of(batch.partition()));
      }
      return Optional.of(Set.of(partitionOf(key.get(), numPartitions)));
    }
  }

  /**
   * The partition counts the topology is built for.
   *
   * @param input the input topic's: with null keys, every one of them must announce its
   *     progress before a buffer-and-decide task's clock starts
   * @param byTrace the by-trace topic's (with keyed input, unused): split batches by it
   */
  public record Partitions(int input, int byTrace) {
    public Partitions {
      if (input < 1 || byTrace < 1) {
        throw new IllegalArgumentException("partition counts must be positive, got " + input + " and " + byTrace);
      }
    }
  }

  /** For tests and tools that drive the wall clock by hand: one partition, always caught up. */
  public static Topology build(TailstreamConfig config, ActiveRules rules, TailstreamMetrics metrics) {
    return build(config, rules, metrics, InputLag.ALWAYS_CAUGHT_UP, new Partitions(1, 1), BufferLog.NONE);
  }

  /**
   * @param lag how far this instance's consumers are behind each input partition
   * @param partitions of the input and by-trace topics
   * @param log the log buffers are rebuilt from
   */
  public static Topology build(TailstreamConfig config, ActiveRules rules, TailstreamMetrics metrics,
      InputLag lag, Partitions partitions, BufferLog log) {
    DecisionSettings decision = config.decision();
    var adapt = config.adapt();
    BoostMessages.Limits limits =
        new BoostMessages.Limits(adapt.maxFactor(), adapt.maxTtl(), adapt.maxConcurrent());
    OtlpCodec codec = OtlpCodec.of(config.encoding());
    TraceAssembler assembler = new TraceAssembler(codec, config.maxOutputRecordBytes());
    KeptTraceEmitter emitter = new KeptTraceEmitter(assembler,
        new DecisionAttributes(config.decisionAttributes()), metrics, config.maxDeadLetterRecordBytes());
    DecisionSettings.Stress s = decision.stress();
    io.tailstream.adapt.StressGate stress = new io.tailstream.adapt.StressGate(s.maxBufferedBytes(),
        s.high(), s.low(), s.heapHigh(), io.tailstream.adapt.StressGate::jvmHeapRatio);

    boolean keyed = config.inputKeyedByTraceId();
    // With keyed input split hands its fragments straight to buffer-and-decide, in the same task.
    String fragmentsTo = keyed ? BUFFER_AND_DECIDE : BY_TRACE_SINK;
    SplitProcessor.Settings splitSettings = new SplitProcessor.Settings(config.topics().input(),
        keyed, keyed ? 0 : partitions.byTrace(), config.maxDeadLetterRecordBytes(),
        decision.checkInterval(), decision.deliverySlack(), fragmentsTo, DEAD_LETTER_SINK);
    BufferAndDecideProcessor.Log bufferLog = keyed
        ? new BufferAndDecideProcessor.Log(log, config.topics().input(), LogDecoder.input(codec, rules))
        : new BufferAndDecideProcessor.Log(log, config.topics().byTrace(), LogDecoder.byTrace());
    int sources = keyed ? 1 : partitions.input();
    ByteBudget heap = new ByteBudget(config.heapBufferBytes());
    metrics.watchHeapBuffer(heap);

    // The Processor API rather than the DSL: split forwards each output to the one node that
    // takes it, with no filter and mapValues nodes for every fragment to pass through.
    Topology topology = new Topology();
    topology.addGlobalStore(Stores.timestampedKeyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(StoreNames.CONTROL), Serdes.String(), Serdes.ByteArray())
            .withLoggingDisabled(),
        "sampling-control-source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(),
        config.topics().control(), "sampling-control",
        () -> new ControlProcessor(rules.current().boosts(), limits, metrics));
    topology.addSource("otlp-input", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(),
        config.topics().input());
    topology.addProcessor("split", () -> new SplitProcessor(splitSettings, codec, rules, metrics, lag),
        "otlp-input");
    topology.addSink(DEAD_LETTER_SINK, config.topics().deadLetter(), Serdes.Bytes().serializer(),
        Serdes.ByteArray().serializer(), "split");
    String bufferParent = "split";
    if (!keyed) {
      // Not a Streams repartition topic, which Streams purges after each commit: the by-trace
      // topic keeps its records for its retention, so a buffer can be rebuilt from it.
      String byTrace = config.topics().byTrace();
      topology.addSink(BY_TRACE_SINK, byTrace, Serdes.Bytes().serializer(), InternalSerdes.BY_TRACE.serializer(),
          new ByTracePartitioner(), "split");
      topology.addSource("by-trace-source", Serdes.Bytes().deserializer(), InternalSerdes.BY_TRACE.deserializer(),
          byTrace);
      bufferParent = "by-trace-source";
    }
    topology.addProcessor(BUFFER_AND_DECIDE, () -> new BufferAndDecideProcessor(decision, rules, emitter,
        metrics, stress, sources, bufferLog, heap), bufferParent);
    for (StoreBuilder<?> store : bufferStores(decision)) {
      topology.addStateStore(store, BUFFER_AND_DECIDE);
    }
    topology.addSink("sampled-traces-sink", keptOrDeadLetter(config.topics().output(), config.topics().deadLetter()),
        Serdes.String().serializer(), Serdes.ByteArray().serializer(), BUFFER_AND_DECIDE);
    return topology;
  }
}
