package io.tailstream.topology;

import static io.tailstream.testing.Spans.error;
import static io.tailstream.testing.Spans.resource;
import static io.tailstream.testing.Spans.span;
import static io.tailstream.testing.Spans.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.adapt.StressGate;
import io.tailstream.buffer.ByTraceRecord;
import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.FragmentBatch;
import io.tailstream.buffer.Watermark;
import io.tailstream.config.AttributeScope;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.DecisionSettings;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.TraceAssembler;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.RulesParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor alone, with a mock context and watermarks sent by hand, so that it can be
 * closed and replaced over the same stores — what a restart or a task migration does — and the
 * in-memory indexes (due times, decided traces) shown to be rebuilt from the stores, and so
 * that each source partition's progress can be set on its own. Traces live on the heap here (a
 * budget they all fit in); {@link BufferAndDecideProcessorStoreTierTest} runs the same with
 * every trace in the stores.
 */
class BufferAndDecideProcessorTest {
  private static final long T0 = 1_790_000_000_000L;

  @TempDir
  Path stateDir;

  private DecisionSettings settings;
  private ActiveRules rules;
  private TailstreamMetrics metrics;
  private final List<StateStore> stores = new ArrayList<>();
  private static final String LOG_TOPIC = "ts-test-by-trace";
  private final FakeLog logRecords = new FakeLog();
  /** Offsets written to the fake by-trace topic; -1 sends records without metadata. */
  private long nextOffset = -1;

  /** The by-trace topic as a list, and the offset Kafka Streams would resume from. */
  private static final class FakeLog implements io.tailstream.buffer.BufferLog {
    final List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    long committed = -1;
    long deletedBefore;
    int reads;

    @Override
    public long committedOffset(String topic, int partition) {
      return committed;
    }

    @Override
    public Read read(String topic, int partition, long from, long until,
        java.util.function.Consumer<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> each) {
      reads++;
      long n = 0;
      for (var r : records) {
        if (r.offset() >= Math.max(from, deletedBefore) && r.offset() < until) {
          each.accept(r);
          n++;
        }
      }
      return new Read(n, 0, Math.max(0, Math.min(deletedBefore, until) - from));
    }
  }

  /** What a crash under exactly-once leaves: the changelogged stores, and empty local ones. */
  private void crash() {
    for (int i : new int[] {0, 1, 3}) { // spans, summaries, clean mark: not changelogged
      stores.get(i).close();
      try {
        java.nio.file.Files.createDirectories(stateDir.resolve("after-crash-" + i));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      MockProcessorContext<String, byte[]> fresh = new MockProcessorContext<>(new java.util.Properties(),
          new org.apache.kafka.streams.processor.TaskId(0, 0), stateDir.resolve("after-crash-" + i).toFile());
      StateStore store = TailstreamTopology.bufferStores(settings).get(i)
          .withLoggingDisabled().withCachingDisabled().build();
      store.init(fresh.getStateStoreContext(), store);
      stores.set(i, store);
    }
  }

  @BeforeEach
  void setUp() {
    settings = ConfigLoader.parse("""
        kafka: { bootstrap-servers: unused:9092, application-id: ts-test }
        decision: { wait: 30s, after-root: 5s, idle: 10s, late-span-ttl: 2m, check-interval: 1s }
        """, "test.yaml", Path.of("."), Map.of()).decision();
    rules = new ActiveRules(Decider.compile(RulesParser.parse("""
        rules:
          - name: errors
            keep: { error: true }
        """, "rules.yaml")));
    metrics = new TailstreamMetrics();
  }

  @AfterEach
  void closeStores() {
    stores.forEach(StateStore::close);
  }

  private MockProcessorContext<String, byte[]> context(long nowMs) {
    MockProcessorContext<String, byte[]> context = new MockProcessorContext<>(new java.util.Properties(),
        new org.apache.kafka.streams.processor.TaskId(0, 0), stateDir.toFile());
    context.setCurrentSystemTimeMs(nowMs);
    context.setRecordMetadata(LOG_TOPIC, 0, 0); // stores read the record's context on put
    if (stores.isEmpty()) {
      for (var builder : TailstreamTopology.bufferStores(settings)) {
        // The mock context has no record cache: caching off, which the processor does not rely on.
        StateStore store = builder.withLoggingDisabled().withCachingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        stores.add(store);
      }
    }
    stores.forEach(context::addStateStore);
    current = context;
    return context;
  }

  private BufferAndDecideProcessor processor(MockProcessorContext<String, byte[]> context) {
    return processor(context, 1);
  }

  /** The heap the buffered traces may take. */
  long heapBufferBytes() {
    return 64L << 20;
  }

  private BufferAndDecideProcessor processor(MockProcessorContext<String, byte[]> context, int sources) {
    BufferAndDecideProcessor p = new BufferAndDecideProcessor(settings, rules,
        new KeptTraceEmitter(new TraceAssembler(OtlpCodec.of(Encoding.OTLP_PROTO), 1 << 20),
            new DecisionAttributes(AttributeScope.OFF), metrics, 1 << 20), metrics,
        new StressGate(1L << 40, 0.9, 0.5, 1.0, () -> 0.0), sources,
        new BufferAndDecideProcessor.Log(nextOffset < 0 ? io.tailstream.buffer.BufferLog.NONE : logRecords,
            LOG_TOPIC, LogDecoder.byTrace()), new io.tailstream.adapt.ByteBudget(heapBufferBytes()));
    p.init(context);
    return p;
  }

  /** A fragment stamped {@code timeMs} (input time). */
  private void send(BufferAndDecideProcessor p, long timeMs, byte[] trace, Span.Builder span) {
    TracesData data = TracesData.newBuilder().addResourceSpans(resource("svc", "scope", span)).build();
    byte[] bytes = data.toByteArray();
    Fragment f = new Fragment(rules.current().extractor().extract(data, bytes.length, timeMs), bytes);
    deliver(p, Bytes.wrap(trace), f, timeMs);
  }

  /** Fragments of several traces in one by-trace record, as split batches them. */
  private void sendBatch(BufferAndDecideProcessor p, long timeMs, Map<byte[], Span.Builder> spans) {
    List<FragmentBatch.Entry> entries = new ArrayList<>();
    spans.forEach((trace, span) -> {
      TracesData data = TracesData.newBuilder().addResourceSpans(resource("svc", "scope", span)).build();
      byte[] bytes = data.toByteArray();
      entries.add(new FragmentBatch.Entry(Bytes.wrap(trace),
          new Fragment(rules.current().extractor().extract(data, bytes.length, timeMs), bytes)));
    });
    deliver(p, null, new FragmentBatch(0, entries), timeMs);
  }

  /** Source partition {@code source} has been read up to {@code timeMs}. */
  private void watermark(BufferAndDecideProcessor p, int source, long timeMs) {
    deliver(p, SplitProcessor.WATERMARK_KEY, new Watermark(source, timeMs), timeMs);
  }

  /** Through the fake by-trace topic when offsets are on, as Kafka Streams would hand it over. */
  private void deliver(BufferAndDecideProcessor p, Bytes key, ByTraceRecord value, long timeMs) {
    if (nextOffset >= 0) {
      long offset = nextOffset++;
      logRecords.records.add(new org.apache.kafka.clients.consumer.ConsumerRecord<>(LOG_TOPIC, 0, offset,
          timeMs, org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0, key == null ? null : key.get(),
          InternalSerdes.BY_TRACE.serializer().serialize(LOG_TOPIC, value),
          new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty()));
      current.setRecordMetadata(LOG_TOPIC, 0, offset);
    }
    p.process(new Record<>(key, value, timeMs));
  }

  private MockProcessorContext<String, byte[]> current;

  private static List<String> emittedKeys(MockProcessorContext<String, byte[]> context) {
    return context.forwarded().stream().<String>map(f -> f.record().key()).toList();
  }

  private static int spans(Record<?, ?> r) throws Exception {
    return TracesData.parseFrom((byte[]) r.value()).getResourceSpansList().stream()
        .mapToInt(rs -> rs.getScopeSpans(0).getSpansCount()).sum();
  }

  @Test
  void tracesDecidedWithoutARootSpanAreCounted() {
    byte[] rooted = traceId(11);
    byte[] rootless = traceId(12);
    MockProcessorContext<String, byte[]> context = context(T0);
    BufferAndDecideProcessor p = processor(context);
    send(p, T0, rooted, span(rooted, 1, null, "root", 0, 10));
    send(p, T0, rootless, span(rootless, 5, 1, "child", 0, 10));

    watermark(p, 0, T0 + 120_000); // past every due time

    assertThat(metrics.tracesDropped() + metrics.tracesKept()).isEqualTo(2);
    assertThat(metrics.decidedWithoutRootCount()).isEqualTo(1);
  }

  @Test
  void aReplacementRemembersDecisionsAndDecidesWhatWasStillBuffered() {
    byte[] kept = traceId(1);
    byte[] dropped = traceId(2);
    byte[] buffered = traceId(3);
    MockProcessorContext<String, byte[]> first = context(T0);
    BufferAndDecideProcessor p1 = processor(first);
    send(p1, T0, kept, error(span(kept, 1, null, "root", 0, 10)));
    send(p1, T0, dropped, span(dropped, 1, null, "root", 0, 10));
    watermark(p1, 0, T0 + 6_000); // after-root: both decided
    assertThat(emittedKeys(first)).containsExactly(TraceIds.hex(kept));
    send(p1, T0 + 7_000, buffered, error(span(buffered, 5, 1, "child", 0, 10))); // no root: due when idle
    p1.close();

    // The replacement knows no clock until its source announces one; late spans still follow
    // the remembered decisions meanwhile.
    MockProcessorContext<String, byte[]> second = context(T0 + 60_000);
    BufferAndDecideProcessor p2 = processor(second);
    send(p2, T0 + 8_000, dropped, error(span(dropped, 7, 1, "late error", 20, 5)));
    send(p2, T0 + 8_000, kept, span(kept, 7, 1, "late child", 20, 5));
    List<Record<?, ?>> late = second.forwarded().stream().<Record<?, ?>>map(f -> f.record()).toList();
    assertThat(late).hasSize(1); // only the kept trace's late span; the dropped one's is dropped
    assertThat(late.get(0).key()).isEqualTo(TraceIds.hex(kept));
    assertThat(new String(late.get(0).headers().lastHeader(Headers.LATE).value(), StandardCharsets.UTF_8))
        .isEqualTo("true");
    assertThat(metrics.lateSpansDropped()).isEqualTo(1);
    assertThat(metrics.lateSpansKept()).isEqualTo(1);

    second.resetForwards();
    watermark(p2, 0, T0 + 7_000 + 9_999);
    assertThat(emittedKeys(second)).as("not due: idle is 10 s of input after its last span, "
        + "however much wall time went by").isEmpty();
    watermark(p2, 0, T0 + 7_000 + 10_000);
    assertThat(emittedKeys(second)).containsExactly(TraceIds.hex(buffered));
    p2.close();
  }

  @Test
  void nothingIsDecidedUntilEverySourceHasAnnouncedItsProgress() {
    byte[] trace = traceId(6);
    MockProcessorContext<String, byte[]> context = context(T0);
    BufferAndDecideProcessor p = processor(context, 2);
    send(p, T0, trace, error(span(trace, 1, null, "root", 0, 10)));
    watermark(p, 0, T0 + 60_000);
    assertThat(context.forwarded()).as("source 1 has not said how far it has been read").isEmpty();
    watermark(p, 1, T0 + 5_000);
    assertThat(emittedKeys(context)).containsExactly(TraceIds.hex(trace));
    p.close();
  }

  @Test
  void aLaggingSourceHoldsTheClockBackUntilItsFragmentsOfTheTraceArrive() throws Exception {
    byte[] trace = traceId(7);
    MockProcessorContext<String, byte[]> context = context(T0);
    BufferAndDecideProcessor p = processor(context, 2);
    send(p, T0, trace, span(trace, 2, 1, "child", 0, 10)); // no root: due at idle, T0 + 10 s
    watermark(p, 0, T0 + 120_000); // partition 0 is read far ahead
    watermark(p, 1, T0 + 1_000); // partition 1 lags: two minutes of input not read yet
    assertThat(context.forwarded()).isEmpty();
    send(p, T0 + 2_000, trace, error(span(trace, 1, null, "root", 0, 20))); // from partition 1
    watermark(p, 1, T0 + 120_000);
    List<Record<?, ?>> out = context.forwarded().stream().<Record<?, ?>>map(f -> f.record()).toList();
    assertThat(out).as("decided once partition 1 caught up, with its error span").singleElement()
        .satisfies(r -> assertThat(spans(r)).isEqualTo(2));
    assertThat(metrics.lateSpansKept() + metrics.lateSpansDropped()).isZero();
    p.close();
  }

  @Test
  void aFragmentStampedAfterItsTraceWasDueIsHeldNotDecidedOn() {
    byte[] trace = traceId(8);
    MockProcessorContext<String, byte[]> context = context(T0);
    BufferAndDecideProcessor p = processor(context, 2);
    send(p, T0, trace, span(trace, 2, 1, "child", 0, 10)); // due at T0 + 10 s (idle)
    watermark(p, 0, T0 + 5_000);
    watermark(p, 1, T0 + 5_000);
    // Partition 1 is ahead: its error span is stamped after the trace is due. Read live, it
    // would have come after the decision, so it must not decide it now either.
    send(p, T0 + 12_000, trace, error(span(trace, 3, 1, "late error", 0, 10)));
    watermark(p, 0, T0 + 12_000);
    watermark(p, 1, T0 + 12_000);
    assertThat(context.forwarded()).isEmpty();
    assertThat(metrics.tracesDropped()).isEqualTo(1);
    assertThat(metrics.inputTime().heldSpansCount()).isEqualTo(1);
    assertThat(metrics.bufferedBytes()).as("held bytes leave the buffer with the trace").isZero();
    p.close();
  }

  @Test
  void aFragmentStampedBeforeTheClockCountsAtTheClockAndDoesNotMakeItsTraceDueAtOnce() {
    byte[] trace = traceId(4);
    MockProcessorContext<String, byte[]> context = context(T0);
    BufferAndDecideProcessor p = processor(context);
    watermark(p, 0, T0 + 60_000);
    // A producer whose clock is a minute behind: its span would be 50 s past due on arrival.
    send(p, T0, trace, error(span(trace, 2, 1, "child", 0, 10)));
    watermark(p, 0, T0 + 60_000 + 9_999);
    assertThat(context.forwarded()).isEmpty();
    assertThat(metrics.inputTime().adjustedFromPastCount()).isEqualTo(1);
    watermark(p, 0, T0 + 70_000);
    assertThat(emittedKeys(context)).containsExactly(TraceIds.hex(trace));
    p.close();
  }

  @Test
  void aKeptTraceWhoseSpansAreGoneIsCountedNotEmittedEmpty() {
    byte[] trace = traceId(5);
    MockProcessorContext<String, byte[]> first = context(T0);
    BufferAndDecideProcessor p1 = processor(first);
    send(p1, T0, trace, error(span(trace, 1, null, "root", 0, 10)));
    p1.close();
    // The spans' segment expires (a write an hour later moves the store's time past its
    // retention) while the summary remains.
    @SuppressWarnings("unchecked")
    var spans = (org.apache.kafka.streams.state.WindowStore<Bytes, byte[]>) stores.get(0);
    spans.put(Bytes.wrap(traceId(99)), new byte[] {1}, T0 + 3_600_000);
    MockProcessorContext<String, byte[]> second = context(T0 + 6_000);
    BufferAndDecideProcessor p2 = processor(second);
    watermark(p2, 0, T0 + 6_000);
    assertThat(second.forwarded()).isEmpty();
    assertThat(metrics.tracesWithoutSpans()).isEqualTo(1);
    assertThat(metrics.tracesKept()).isZero();
    assertThat(metrics.bufferedTraces()).isZero();
    p2.close();
  }

  @Test
  void aCrashedTaskRebuildsItsBufferFromTheLogAndDecidesItWholeWithoutRepeatingWhatItHadDecided()
      throws Exception {
    nextOffset = 0;
    byte[] kept = traceId(10);
    byte[] buffered = traceId(11);
    MockProcessorContext<String, byte[]> first = context(T0);
    BufferAndDecideProcessor p1 = processor(first);
    send(p1, T0, kept, error(span(kept, 1, null, "root", 0, 10)));
    watermark(p1, 0, T0 + 6_000); // after-root: kept, emitted
    assertThat(emittedKeys(first)).containsExactly(TraceIds.hex(kept));
    send(p1, T0 + 7_000, buffered, error(span(buffered, 5, 1, "child", 0, 10)));
    watermark(p1, 0, T0 + 8_000);
    send(p1, T0 + 9_000, buffered, span(buffered, 6, 1, "child", 0, 10));
    logRecords.committed = nextOffset; // committed with everything so far; then kill -9
    crash();

    long bufferedBefore = metrics.bufferedTraces(); // the killed instance's gauge, in this test's JVM
    MockProcessorContext<String, byte[]> second = context(T0 + 60_000);
    BufferAndDecideProcessor p2 = processor(second);
    assertThat(metrics.bufferLog().rebuilds()).isEqualTo(1);
    assertThat(metrics.bufferLog().recordsReread()).as("from the buffered trace's first fragment on")
        .isEqualTo(3);
    assertThat(metrics.bufferedTraces() - bufferedBefore).isEqualTo(1);
    watermark(p2, 0, T0 + 9_000 + 10_000);
    List<Record<?, ?>> out = second.forwarded().stream().<Record<?, ?>>map(f -> f.record()).toList();
    assertThat(out).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo(TraceIds.hex(buffered));
      assertThat(spans(r)).isEqualTo(2);
    });
    p2.close();
  }

  @Test
  void batchedFragmentsAreBufferedPerTraceAndRebuiltFromTheLogPerTrace() throws Exception {
    nextOffset = 0;
    byte[] slow = traceId(20);
    byte[] quiet = traceId(21);
    byte[] failed = traceId(22);
    MockProcessorContext<String, byte[]> first = context(T0);
    BufferAndDecideProcessor p1 = processor(first);
    Map<byte[], Span.Builder> one = new java.util.LinkedHashMap<>();
    one.put(quiet, span(quiet, 1, null, "root", 0, 10));
    one.put(failed, span(failed, 5, 1, "child", 0, 10));
    sendBatch(p1, T0, one);
    assertThat(metrics.bufferedTraces()).isEqualTo(2);
    watermark(p1, 0, T0 + 6_000); // quiet is decided (after-root) and dropped
    sendBatch(p1, T0 + 7_000, Map.of(failed, error(span(failed, 6, 1, "infer", 0, 10)),
        slow, span(slow, 9, 1, "child", 0, 10)));
    logRecords.committed = nextOffset;
    crash();

    long bufferedBefore = metrics.bufferedTraces();
    MockProcessorContext<String, byte[]> second = context(T0 + 60_000);
    BufferAndDecideProcessor p2 = processor(second);
    assertThat(metrics.bufferLog().recordsReread()).as("both batches and the watermark").isEqualTo(3);
    assertThat(metrics.bufferedTraces() - bufferedBefore).as("failed and slow; quiet was decided")
        .isEqualTo(2);
    watermark(p2, 0, T0 + 60_000);
    List<Record<?, ?>> out = second.forwarded().stream().<Record<?, ?>>map(f -> f.record()).toList();
    assertThat(out).singleElement().satisfies(r -> {
      assertThat(r.key()).isEqualTo(TraceIds.hex(failed));
      assertThat(spans(r)).as("one span from each batch").isEqualTo(2);
    });
    p2.close();
  }

  @Test
  void aBatchedFragmentWithABadTraceIdIsDeadLetteredOnceAndSkippedByTheRebuild() throws Exception {
    nextOffset = 0;
    byte[] good = traceId(23);
    byte[] shortId = java.util.Arrays.copyOf(traceId(24), 15);
    MockProcessorContext<String, byte[]> first = context(T0);
    BufferAndDecideProcessor p1 = processor(first);
    Map<byte[], Span.Builder> batch = new java.util.LinkedHashMap<>();
    batch.put(shortId, error(span(traceId(24), 1, null, "root", 0, 10)));
    batch.put(good, error(span(good, 1, null, "root", 0, 10)));
    sendBatch(p1, T0, batch);
    assertThat(emittedKeys(first)).as("the bad one's spans, to the dead-letter topic").hasSize(1);
    logRecords.committed = nextOffset;
    crash();

    MockProcessorContext<String, byte[]> second = context(T0 + 60_000);
    BufferAndDecideProcessor p2 = processor(second); // threw in init before the fix
    watermark(p2, 0, T0 + 60_000);
    assertThat(emittedKeys(second)).containsExactly(TraceIds.hex(good));
    p2.close();
  }

  @Test
  void aCleanCloseIsTrustedAndTheLogIsNotReadAgain() {
    nextOffset = 0;
    byte[] buffered = traceId(12);
    MockProcessorContext<String, byte[]> first = context(T0);
    BufferAndDecideProcessor p1 = processor(first);
    send(p1, T0, buffered, error(span(buffered, 5, 1, "child", 0, 10)));
    watermark(p1, 0, T0 + 1_000);
    logRecords.committed = nextOffset;
    p1.close();

    MockProcessorContext<String, byte[]> second = context(T0 + 5_000);
    BufferAndDecideProcessor p2 = processor(second);
    assertThat(metrics.bufferLog().rebuilds()).isZero();
    assertThat(logRecords.reads).isZero();
    watermark(p2, 0, T0 + 10_000);
    assertThat(emittedKeys(second)).containsExactly(TraceIds.hex(buffered));
    p2.close();
  }

  @Test
  void aCleanMarkIsNotTrustedWhenTheTaskRanElsewhereSince() {
    nextOffset = 0;
    byte[] trace = traceId(13);
    MockProcessorContext<String, byte[]> first = context(T0);
    BufferAndDecideProcessor p1 = processor(first);
    send(p1, T0, trace, span(trace, 5, 1, "child", 0, 10));
    watermark(p1, 0, T0 + 1_000);
    logRecords.committed = nextOffset;
    p1.close();
    // Another instance ran the task meanwhile: it read one more fragment of the trace.
    BufferAndDecideProcessor elsewhere = processor(context(T0));
    send(elsewhere, T0 + 2_000, trace, error(span(trace, 6, 1, "error", 0, 10)));
    logRecords.committed = nextOffset;
    crash();
    elsewhere = null;

    MockProcessorContext<String, byte[]> back = context(T0 + 5_000);
    BufferAndDecideProcessor p2 = processor(back);
    assertThat(metrics.bufferLog().rebuilds()).isEqualTo(1);
    watermark(p2, 0, T0 + 20_000);
    assertThat(emittedKeys(back)).as("kept for the error the other instance read").containsExactly(TraceIds.hex(trace));
    p2.close();
  }

  @Test
  void recordsRetentionDeletedBeforeARebuildAreCounted() {
    nextOffset = 0;
    byte[] trace = traceId(14);
    MockProcessorContext<String, byte[]> first = context(T0);
    BufferAndDecideProcessor p1 = processor(first);
    send(p1, T0, trace, span(trace, 5, 1, "child", 0, 10));
    send(p1, T0 + 1, trace, span(trace, 6, 1, "child", 0, 10));
    logRecords.committed = nextOffset;
    logRecords.deletedBefore = 1;
    crash();
    processor(context(T0 + 5_000));
    assertThat(metrics.bufferLog().missingRecords()).isEqualTo(1);
  }
}
