package io.tailstream.topology;

import io.tailstream.buffer.ByTraceRecord;
import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.FragmentBatch;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.metrics.TailstreamMetrics.DeadLetterReason;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' processing and deserialization exception handler for tailstream: a record whose
 * processing throws, or whose internal bytes cannot be read, is logged, counted and written to
 * the dead-letter topic with the exception's class and message in headers, and the task goes on.
 * Without it one poison record stops the stream thread, and because its offset is never
 * committed, stops it again after every restart.
 *
 * <p>The dead letter is the record as tailstream read it: the input record for split (and for
 * buffer-and-decide when the input is keyed by trace id), and for a fragment read back from the
 * by-trace topic its spans in the input encoding, so that the dead-letter topic holds OTLP
 * only. It goes out through Streams' own dead-letter support (the handler's response), in the
 * task's transaction. Records of the control topic (read by the global thread) are only logged
 * and counted: they are the operator's, and the control processor refuses them itself.
 */
public final class DeadLetterHandler implements ProcessingExceptionHandler, DeserializationExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(DeadLetterHandler.class);
  /** Streams property holding the instance's {@link TailstreamMetrics}. */
  static final String METRICS = "tailstream.dead.letter.metrics";
  static final String MAX_BYTES = "tailstream.dead.letter.max.bytes";
  static final String ENCODING = "tailstream.dead.letter.encoding";
  static final String CONTROL_TOPIC = "tailstream.dead.letter.control.topic";
  static final String BY_TRACE_TOPIC = "tailstream.dead.letter.by.trace.topic";

  private String topic;
  private long maxBytes = TailstreamConfig.DEFAULT_DEAD_LETTER_RECORD_BYTES;
  private OtlpCodec codec = OtlpCodec.of(Encoding.OTLP_PROTO);
  private String controlTopic = "";
  private String byTraceTopic = "";
  private TailstreamMetrics metrics;

  /** Installs the handler and what it needs in {@code streams} (the instance's Streams properties). */
  public static void install(Properties streams, TailstreamConfig config, TailstreamMetrics metrics) {
    streams.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
    streams.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class.getName());
    streams.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, config.topics().deadLetter());
    streams.put(MAX_BYTES, Long.toString(config.maxDeadLetterRecordBytes()));
    streams.put(ENCODING, config.encoding().name());
    streams.put(CONTROL_TOPIC, config.topics().control());
    streams.put(BY_TRACE_TOPIC, config.topics().byTrace());
    streams.put(METRICS, metrics);
  }

  @Override
  public void configure(Map<String, ?> configs) {
    topic = (String) configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    if (configs.get(MAX_BYTES) != null) {
      maxBytes = Long.parseLong(configs.get(MAX_BYTES).toString());
    }
    if (configs.get(ENCODING) != null) {
      codec = OtlpCodec.of(Encoding.valueOf(configs.get(ENCODING).toString()));
    }
    if (configs.get(CONTROL_TOPIC) != null) {
      controlTopic = configs.get(CONTROL_TOPIC).toString();
    }
    if (configs.get(BY_TRACE_TOPIC) != null) {
      byTraceTopic = configs.get(BY_TRACE_TOPIC).toString();
    }
    if (configs.get(METRICS) instanceof TailstreamMetrics m) {
      metrics = m;
    }
  }

  @Override
  public ProcessingExceptionHandler.Response handleError(ErrorHandlerContext context, Record<?, ?> record,
      Exception exception) {
    log.error("processing a record of {} failed in {} (task {}); it goes to the dead-letter topic and "
        + "processing goes on", source(context), context.processorNodeId(), context.taskId(), exception);
    if (metrics != null) {
      metrics.deadLettered(DeadLetterReason.PROCESSING_ERROR, 0);
    }
    if (topic == null || controlTopic.equals(context.topic()) || context.sourceRawValue() == null) {
      return ProcessingExceptionHandler.Response.resume();
    }
    return ProcessingExceptionHandler.Response.resume(List.of(deadLetter(context, exception)));
  }

  @Override
  public DeserializationExceptionHandler.Response handleError(ErrorHandlerContext context,
      ConsumerRecord<byte[], byte[]> record, Exception exception) {
    log.error("a record of {} cannot be read ({}); it goes to the dead-letter topic and processing "
        + "goes on", source(context), exception.toString());
    if (metrics != null) {
      metrics.deadLettered(DeadLetterReason.CORRUPT_INTERNAL, 0);
    }
    if (topic == null || controlTopic.equals(context.topic())) {
      return DeserializationExceptionHandler.Response.resume();
    }
    return DeserializationExceptionHandler.Response.resume(List.of(deadLetter(context, exception)));
  }

  private ProducerRecord<byte[], byte[]> deadLetter(ErrorHandlerContext context, Exception exception) {
    RecordHeaders headers = new RecordHeaders(context.headers().toArray());
    headers.remove(Headers.ERROR);
    headers.remove(Headers.SOURCE);
    headers.remove(Headers.EXCEPTION);
    headers.add(Headers.ERROR, Headers.utf8(DeadLetters.reason(
        "processing failed in " + context.processorNodeId() + ": " + exception)));
    headers.add(Headers.EXCEPTION, Headers.utf8(exception.getClass().getName()));
    headers.add(Headers.SOURCE, Headers.utf8(source(context)));
    DeadLetters.Letter letter = DeadLetters.fit(context.sourceRawKey(),
        asOtlp(context.topic(), context.sourceRawValue()), headers, maxBytes);
    return new ProducerRecord<>(topic, null, letter.key(), letter.value(), letter.headers());
  }

  /**
   * The spans of a by-trace record (a fragment or a batch of them) as OTLP in the input
   * encoding; anything else as it is.
   */
  private byte[] asOtlp(String sourceTopic, byte[] value) {
    if (value == null || sourceTopic == null || !sourceTopic.equals(byTraceTopic)) {
      return value;
    }
    try {
      ByTraceRecord r = InternalSerdes.BY_TRACE.deserializer().deserialize(sourceTopic, value);
      // A TracesData and an ExportTraceServiceRequest share their one repeated field, so the
      // concatenated fragments are one request holding all their spans.
      ByteArrayOutputStream spans = new ByteArrayOutputStream();
      if (r instanceof Fragment f) {
        spans.writeBytes(f.tracesData());
      } else if (r instanceof FragmentBatch b) {
        for (FragmentBatch.Entry e : b.entries()) {
          spans.writeBytes(e.fragment().tracesData());
        }
      } else {
        return value; // a watermark holds no spans
      }
      return codec.encode(ExportTraceServiceRequest.parseFrom(spans.toByteArray()));
    } catch (RuntimeException | IOException e) {
      return value; // unreadable as by-trace spans: the bytes as they are, for a human to look at
    }
  }

  private static String source(ErrorHandlerContext context) {
    return context.topic() + "/" + context.partition() + "/" + context.offset();
  }
}
