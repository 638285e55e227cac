package io.tailstream.topology;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.InputLag;
import io.tailstream.buffer.SourceProgress;
import io.tailstream.buffer.Watermark;
import io.tailstream.decide.ActiveRules;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.metrics.TailstreamMetrics.DeadLetterReason;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.OtlpDecodeException;
import io.tailstream.otlp.TraceIds;
import io.tailstream.otlp.ProtoTraceSplitter;
import io.tailstream.otlp.TraceSplitter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
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
final class SplitProcessor implements Processor<byte[], byte[], Bytes, SplitOutput> {
  private static final Logger log = LoggerFactory.getLogger(SplitProcessor.class);

  private static final String INVALID_IDS = "spans without a valid 16-byte trace id";

  private final OtlpCodec codec;
  private final ActiveRules rules;
  private final TailstreamMetrics metrics;
  private final boolean keyedByTraceId;
  private final ProtoTraceSplitter protoSplitter;
  private final long maxDeadLetterBytes;
  /** The key of watermarks; trace ids are 16 bytes, so no fragment has it. */
  static final Bytes WATERMARK_KEY = Bytes.wrap(new byte[0]);

  private final InputLag lag;
  private final Duration checkInterval;
  private final SourceProgress progress;
  private ProcessorContext<Bytes, SplitOutput> context;
  private final String inputTopic;
  private int partition;

  SplitProcessor(OtlpCodec codec, ActiveRules rules, TailstreamMetrics metrics,
      boolean keyedByTraceId, long maxDeadLetterBytes, InputLag lag, String inputTopic,
      Duration checkInterval) {
    this.lag = lag;
    this.progress = new SourceProgress(lag.recordsInFlight());
    this.inputTopic = inputTopic;
    this.checkInterval = checkInterval;
    this.maxDeadLetterBytes = maxDeadLetterBytes;
    this.codec = codec;
    this.rules = rules;
    this.metrics = metrics;
    this.keyedByTraceId = keyedByTraceId;
    // otlp_proto is split on the bytes; otlp_json is decoded whole and re-encoded as protobuf.
    this.protoSplitter = codec.encoding() == Encoding.OTLP_PROTO ? new ProtoTraceSplitter() : null;
  }

  @Override
  public void init(ProcessorContext<Bytes, SplitOutput> context) {
    this.context = context;
    this.partition = context.taskId().partition();
    context.schedule(checkInterval, PunctuationType.WALL_CLOCK_TIME, this::announceProgress);
  }

  private void announceProgress(long wallMs) {
    long at = progress.announce(wallMs, lag.lag(inputTopic, partition) == 0);
    if (at != SourceProgress.NONE) {
      context.forward(new Record<>(WATERMARK_KEY, SplitOutput.of(new Watermark(partition, at)), at));
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
    if (protoSplitter != null) {
      processProto(record);
      return;
    }
    OtlpCodec.Decoded decoded;
    try {
      decoded = codec.decode(record.value());
    } catch (OtlpDecodeException e) {
      deadLetterWhole(record, e);
      return;
    }
    TraceSplitter.Split split = TraceSplitter.split(decoded.request());
    metrics.recordIn(split.spanCount());
    var extractor = rules.current().extractor();
    long now = context.currentSystemTimeMs();
    long time = inputTime(record);
    String keyHex = keyHex(record);
    for (Map.Entry<ByteString, TracesData> e : split.fragments().entrySet()) {
      TracesData data = e.getValue();
      byte[] encoded = data.toByteArray();
      forward(time, e.getKey(), new Fragment(extractor.extract(data, encoded.length, now), encoded), keyHex);
    }
    if (split.invalid() != null) {
      String reason = INVALID_IDS;
      if (!decoded.idProblems().isEmpty()) {
        reason += ": " + decoded.idProblems();
      }
      int invalidSpans = split.invalid().getResourceSpansList().stream()
          .flatMap(rs -> rs.getScopeSpansList().stream())
          .mapToInt(ss -> ss.getSpansCount()).sum();
      deadLetter(record, codec.encode(split.invalid()), reason, DeadLetterReason.INVALID_TRACE_ID, invalidSpans);
    }
  }

  private void processProto(Record<byte[], byte[]> record) {
    ProtoTraceSplitter.Result split;
    try {
      split = protoSplitter.split(record.value());
    } catch (OtlpDecodeException e) {
      deadLetterWhole(record, e);
      return;
    }
    metrics.recordIn(split.spanCount());
    var extractor = rules.current().extractor();
    long now = context.currentSystemTimeMs();
    long time = inputTime(record);
    String keyHex = keyHex(record);
    for (ProtoTraceSplitter.Fragment f : split.fragments()) {
      Fragment fragment = new Fragment(extractor.extract(f.parsed(), f.encoded().length, now), f.encoded());
      forward(time, f.traceId(), fragment, keyHex);
    }
    if (split.invalid() != null) {
      deadLetter(record, split.invalid(), INVALID_IDS, DeadLetterReason.INVALID_TRACE_ID, split.invalidSpans());
    }
  }

  private String keyHex(Record<byte[], byte[]> record) {
    return keyedByTraceId && record.key() != null ? new String(record.key(), StandardCharsets.UTF_8) : null;
  }

  private void forward(long time, ByteString traceId, Fragment fragment, String keyHex) {
    byte[] id = traceId.toByteArray();
    if (keyHex != null && !keyHex.equalsIgnoreCase(TraceIds.hex(id))) {
      // With input.keyed-by-trace-id the partition decides the task: a foreign trace here may
      // be split across tasks. Counted so that a misconfigured collector shows.
      metrics.keyMismatch();
    }
    context.forward(new Record<>(Bytes.wrap(id), SplitOutput.of(fragment), time, new RecordHeaders()));
  }

  /** A record that cannot be read at all goes to the dead-letter topic as it came. */
  private void deadLetterWhole(Record<byte[], byte[]> record, OtlpDecodeException e) {
    metrics.recordIn(0);
    deadLetter(record, record.value(), e.getMessage(), DeadLetterReason.UNREADABLE, 0);
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
    DeadLetters.Letter letter = DeadLetters.fit(record.key(), value, headers, maxDeadLetterBytes);
    Bytes key = letter.key() == null ? null : Bytes.wrap(letter.key());
    context.forward(new Record<>(key, SplitOutput.deadLetter(letter.value()), record.timestamp(),
        letter.headers()));
  }
}
