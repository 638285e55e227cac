package io.tailstream.config;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the stream running when the broker refuses a record as too large (a topic whose
 * max.message.bytes is below what tailstream writes): the record is logged with its topic and
 * size and skipped. Every other send error fails the task as usual, so nothing else is lost
 * silently. Output records are already kept under {@code output.max-record-bytes}.
 */
public final class OversizedRecordHandler implements ProductionExceptionHandler {
  private static final Logger log = LoggerFactory.getLogger(OversizedRecordHandler.class);

  @Override
  public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
      Exception exception) {
    if (exception instanceof RecordTooLargeException) {
      log.error("record of {} bytes to {} refused as too large ({}); skipped. Raise the topic's "
          + "max.message.bytes", record.value() == null ? 0 : record.value().length, record.topic(),
          exception.getMessage());
      return Response.resume();
    }
    return Response.fail();
  }

  @Override
  public void configure(Map<String, ?> configs) {}
}
