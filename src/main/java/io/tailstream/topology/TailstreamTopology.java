package io.tailstream.topology;

import io.tailstream.adapt.BoostMessages;
import io.tailstream.buffer.Fragment;
import io.tailstream.config.DecisionSettings;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.ActiveRules;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.TraceAssembler;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * Builds tailstream's topology:
 *
 * <pre>
 *  input ─► split ─┬─► dead-letter topic
 *                  └─► [repartition by trace id] ─► buffer-and-decide ─┬─► output topic
 *                                                                     └─► dead-letter topic
 * </pre>
 *
 * The repartition is skipped when the input is already partitioned by trace id
 * ({@code input.keyed-by-trace-id}), which saves a full pass of every span through the broker.
 */
public final class TailstreamTopology {
  /** Name of the repartition step; its topic is {@code <application-id>-trace-fragments-repartition}. */
  public static final String REPARTITION_NAME = "trace-fragments";

  private TailstreamTopology() {}

  /** The stores of buffer-and-decide, all changelogged, caching only on the summaries. */
  static List<StoreBuilder<?>> bufferStores(DecisionSettings decision) {
    return List.of(
        Stores.windowStoreBuilder(
                Stores.persistentWindowStore(StoreNames.TRACE_SPANS,
                    BufferAndDecideProcessor.spansRetention(decision), Duration.ofMillis(1), true),
                Serdes.Bytes(), Serdes.ByteArray())
            .withCachingDisabled(),
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(StoreNames.TRACE_STATE),
                Serdes.Bytes(), InternalSerdes.SUMMARY)
            .withCachingEnabled(),
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

  public static Topology build(TailstreamConfig config, ActiveRules rules, TailstreamMetrics metrics) {
    DecisionSettings decision = config.decision();
    var adapt = config.adapt();
    BoostMessages.Limits limits =
        new BoostMessages.Limits(adapt.maxFactor(), adapt.maxTtl(), adapt.maxConcurrent());
    OtlpCodec codec = OtlpCodec.of(config.encoding());
    TraceAssembler assembler = new TraceAssembler(codec, config.maxOutputRecordBytes());
    KeptTraceEmitter emitter = new KeptTraceEmitter(assembler, metrics, config.maxDeadLetterRecordBytes());
    DecisionSettings.Stress s = decision.stress();
    io.tailstream.adapt.StressGate stress = new io.tailstream.adapt.StressGate(s.maxBufferedBytes(),
        s.high(), s.low(), s.heapHigh(), io.tailstream.adapt.StressGate::jvmHeapRatio);

    StreamsBuilder builder = new StreamsBuilder();
    bufferStores(decision).forEach(builder::addStateStore);

    builder.addGlobalStore(Stores.timestampedKeyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(StoreNames.CONTROL), Serdes.String(), Serdes.ByteArray())
        .withLoggingDisabled(),
        config.topics().control(),
        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("sampling-control"),
        () -> new ControlProcessor(rules.current().boosts(), limits, metrics));

    KStream<byte[], byte[]> input = builder.stream(config.topics().input(),
        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("otlp-input"));
    KStream<Bytes, SplitOutput> split = input.process(
        () -> new SplitProcessor(codec, rules, metrics, config.inputKeyedByTraceId(),
            config.maxDeadLetterRecordBytes()),
        Named.as("split"));

    split.filter((k, v) -> v.isDeadLetter(), Named.as("dead-letters"))
        .mapValues(SplitOutput::deadLetter, Named.as("dead-letter-values"))
        .to(config.topics().deadLetter(),
            Produced.with(Serdes.Bytes(), Serdes.ByteArray()).withName("dead-letter-sink"));

    KStream<Bytes, Fragment> fragments = split
        .filterNot((k, v) -> v.isDeadLetter(), Named.as("fragments"))
        .mapValues(SplitOutput::fragment, Named.as("fragment-values"));
    if (!config.inputKeyedByTraceId()) {
      fragments = fragments.repartition(Repartitioned.with(Serdes.Bytes(), InternalSerdes.FRAGMENT)
          .withName(REPARTITION_NAME));
    }
    fragments
        .process(() -> new BufferAndDecideProcessor(decision, rules, emitter, metrics, stress),
            Named.as("buffer-and-decide"),
            StoreNames.TRACE_SPANS, StoreNames.TRACE_STATE, StoreNames.DECISIONS, StoreNames.DROPPED)
        .to(keptOrDeadLetter(config.topics().output(), config.topics().deadLetter()),
            Produced.with(Serdes.String(), Serdes.ByteArray()).withName("sampled-traces-sink"));
    return builder.build();
  }
}
