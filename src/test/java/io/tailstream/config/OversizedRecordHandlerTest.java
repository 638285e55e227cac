package io.tailstream.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.junit.jupiter.api.Test;

class OversizedRecordHandlerTest {
  private final ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("sampled_traces", new byte[10]);

  @Test
  void aRecordTooLargeIsSkippedAndReported() {
    List<String> refused = new ArrayList<>();
    OversizedRecordHandler handler = new OversizedRecordHandler();
    handler.configure(Map.of(OversizedRecordHandler.REFUSED_LISTENER, (Consumer<String>) refused::add));
    assertThat(handler.handleError(null, record, new RecordTooLargeException("too big")).result())
        .isEqualTo(Result.RESUME);
    assertThat(refused).containsExactly("sampled_traces");
  }

  @Test
  void anyOtherSendErrorFailsTheTaskAndWorksWithoutAListener() {
    OversizedRecordHandler handler = new OversizedRecordHandler();
    handler.configure(Map.of());
    assertThat(handler.handleError(null, record, new TimeoutException("slow")).result()).isEqualTo(Result.FAIL);
    assertThat(handler.handleError(null, record, new RecordTooLargeException("too big")).result())
        .isEqualTo(Result.RESUME);
  }
}
