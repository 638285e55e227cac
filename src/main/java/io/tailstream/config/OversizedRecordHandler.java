package io.tailstream.config;

import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs and counts a record the broker refuses as too large (a topic whose max.message.bytes is
 * below what tailstream writes) and skips it. That keeps an at-least-once instance running; under
 * exactly-once (the default) the refusal has already failed the transaction and the instance stops
 * regardless, which is why output records are fitted to the output topic's limit at start
 * ({@code TopicLimits}). Every other send error fails the task as usual.
 *
 * <p>Kafka Streams creates the handler by class name; the instance's counter reaches it through
 * the Streams properties under {@link #REFUSED_LISTENER} (a {@code Consumer<String>} of topic names).
 */
public final class OversizedRecordHandler implements ProductionExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(OversizedRecordHandler.class);
  /** Streams property holding a {@code Consumer<String>} told the topic of each refused record. */
  public static final String REFUSED_LISTENER = "tailstream.refused.records.listener";

  private Consumer<String> refused = topic -> { };

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
      Exception exception) {
    if (exception instanceof RecordTooLargeException) {
      log.error("record of {} bytes to {} refused as too large ({}); skipped. Raise the topic's "
          + "max.message.bytes", record.value() == null ? 0 : record.value().length, record.topic(),
          exception.getMessage());
      refused.accept(record.topic());
      return Response.resume();
    }
    return Response.fail();
  }

  /**
   * A record tailstream's own serializers could not write: they are built never to fail (lengths
   * bounded, strings cut), so this is a bug; failing the task would fail it again on the same
   * record after every restart. Logged with the exception, counted as refused, skipped.
   */
  @Override
  public Response handleSerializationError(ErrorHandlerContext context,
      @SuppressWarnings("rawtypes") ProducerRecord record, Exception exception,
      SerializationExceptionOrigin origin) {
    log.error("a record for {} could not be serialized ({}, from {}/{}/{}); skipped", record.topic(),
        origin, context.topic(), context.partition(), context.offset(), exception);
    refused.accept(record.topic());
    return Response.resume();
  }

  @Override
  @SuppressWarnings("unchecked")
  public void configure(Map<String, ?> configs) {
    if (configs.get(REFUSED_LISTENER) instanceof Consumer<?> listener) {
      refused = (Consumer<String>) listener;
    }
  }
}
