package io.tailstream.topology;

import io.tailstream.buffer.ByTraceRecord;
import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.FragmentBatch;
import io.tailstream.buffer.InputLag;
import io.tailstream.buffer.SourceProgress;
import io.tailstream.buffer.Watermark;
import io.tailstream.decide.ActiveRules;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.metrics.TailstreamMetrics.DeadLetterReason;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.OtlpDecodeException;
import io.tailstream.otlp.TraceIds;
import io.tailstream.otlp.ProtoTraceSplitter;
import io.tailstream.otlp.RecordSplitter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 1: decodes each input record and emits one fragment per trace, keyed by the 16-byte trace
 * id. What cannot be read goes to the dead-letter branch with the reason; it never stops the
 * stream.
 *
 * <p>Split also keeps its input partition's {@link SourceProgress} and announces it every check
 * interval as a {@link Watermark} (keyed {@link #WATERMARK_KEY}, sent to every partition of
 * buffer-and-decide), which is how buffer-and-decide knows how far the input has been read.
 * Fragments carry the input time they count at as their timestamp: the record's own, never
 * ahead of the wall clock.
 */
final class SplitProcessor implements Processor<byte[], byte[], Bytes, Object> {
  private static final Logger log = LoggerFactory.getLogger(SplitProcessor.class);

  /** The key of watermarks; trace ids are 16 bytes, so no fragment has it. */
  static final Bytes WATERMARK_KEY = Bytes.wrap(new byte[0]);

  /**
   * @param byTracePartitions with null-keyed input, the by-trace topic's partitions, by which
   *     fragments are batched; 0 with keyed input, where each fragment is handed on alone
   * @param fragmentsTo the node fragments, batches and watermarks go to ({@link ByTraceRecord}s)
   * @param deadLettersTo the node dead letters go to (byte arrays)
   */
  record Settings(String inputTopic, boolean keyedByTraceId, int byTracePartitions,
      long maxDeadLetterBytes, Duration checkInterval, Duration deliverySlack, String fragmentsTo,
      String deadLettersTo) {}

  private final Settings settings;
  private final ActiveRules rules;
  private final TailstreamMetrics metrics;
  private final RecordSplitter splitter;
  private final PartitionBatcher batcher;
  private final InputLag lag;
  private final SourceProgress progress;
  private ProcessorContext<Bytes, Object> context;
  private int partition;

  SplitProcessor(Settings settings, OtlpCodec codec, ActiveRules rules, TailstreamMetrics metrics,
      InputLag lag) {
    this.settings = settings;
    this.rules = rules;
    this.metrics = metrics;
    this.lag = lag;
    this.progress = new SourceProgress(lag.recordsInFlight(), settings.deliverySlack().toMillis());
    this.splitter = new RecordSplitter(codec);
    this.batcher = settings.byTracePartitions() > 0 ? new PartitionBatcher(settings.byTracePartitions()) : null;
  }

  @Override
  public void init(ProcessorContext<Bytes, Object> context) {
    this.context = context;
    this.partition = context.taskId().partition();
    context.schedule(settings.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::announceProgress);
  }

  private void announceProgress(long wallMs) {
    long at = progress.announce(wallMs, lag.lag(settings.inputTopic(), partition) == 0);
    if (at != SourceProgress.NONE) {
      forward(new Record<>(WATERMARK_KEY, new Watermark(partition, at), at));
    }
  }

  /** The input time of a record: its own timestamp, never ahead of the wall clock. */
  private long inputTime(Record<byte[], byte[]> record) {
    long wall = context.currentSystemTimeMs();
    metrics.inputTime().adjustedFromFuture(record.timestamp() - wall);
    return progress.observe(record.timestamp(), wall);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    RecordSplitter.Split split;
    try {
      split = splitter.split(record.value());
    } catch (OtlpDecodeException e) {
      metrics.recordIn(0);
      deadLetter(record, record.value(), e.getMessage(), DeadLetterReason.UNREADABLE, 0);
      return;
    }
    metrics.recordIn(split.spanCount());
    var extractor = rules.current().extractor();
    long now = context.currentSystemTimeMs();
    long time = inputTime(record);
    String keyHex = keyHex(record);
    for (ProtoTraceSplitter.Fragment f : split.fragments()) {
      Fragment fragment = new Fragment(extractor.extract(f.parsed(), f.encoded().length, now), f.encoded());
      Bytes traceId = Bytes.wrap(f.traceId().toByteArray());
      if (batcher != null) {
        batcher.add(traceId, fragment, batch -> forward(time, batch));
      } else {
        forward(time, traceId, fragment, keyHex);
      }
    }
    if (batcher != null) {
      batcher.flush(batch -> forward(time, batch));
    }
    if (split.invalid() != null) {
      deadLetter(record, split.invalid(), split.invalidReason(), DeadLetterReason.INVALID_TRACE_ID,
          split.invalidSpans());
    }
  }

  private String keyHex(Record<byte[], byte[]> record) {
    return settings.keyedByTraceId() && record.key() != null ? new String(record.key(), StandardCharsets.UTF_8) : null;
  }

  private void forward(long time, Bytes traceId, Fragment fragment, String keyHex) {
    if (keyHex != null && !keyHex.equalsIgnoreCase(TraceIds.hex(traceId.get()))) {
      // With input.keyed-by-trace-id the partition decides the task: a foreign trace here may
      // be split across tasks. Counted so that a misconfigured collector shows.
      metrics.keyMismatch();
    }
    forward(new Record<>(traceId, fragment, time, new RecordHeaders()));
  }

  /** A batch has no key: {@link TailstreamTopology.ByTracePartitioner} reads its partition. */
  private void forward(long time, FragmentBatch batch) {
    forward(new Record<>(null, batch, time, new RecordHeaders()));
  }

  private void forward(Record<Bytes, ByTraceRecord> record) {
    context.forward(record, settings.fragmentsTo());
  }

  private void deadLetter(Record<byte[], byte[]> record, byte[] value, String reason,
      DeadLetterReason kind, int spans) {
    String source = context.recordMetadata()
        .map(m -> m.topic() + "/" + m.partition() + "/" + m.offset())
        .orElse("unknown");
    log.debug("dead-lettering record {}: {}", source, reason);
    metrics.deadLettered(kind, spans);
    RecordHeaders headers = new RecordHeaders(record.headers().toArray());
    headers.remove(Headers.ERROR);
    headers.remove(Headers.SOURCE);
    headers.remove(Headers.TRUNCATED_FROM);
    headers.add(Headers.ERROR, Headers.utf8(DeadLetters.reason(reason)));
    headers.add(Headers.SOURCE, Headers.utf8(source));
    DeadLetters.Letter letter = DeadLetters.fit(record.key(), value, headers, settings.maxDeadLetterBytes());
    Bytes key = letter.key() == null ? null : Bytes.wrap(letter.key());
    context.forward(new Record<>(key, letter.value(), record.timestamp(), letter.headers()),
        settings.deadLettersTo());
  }
}
