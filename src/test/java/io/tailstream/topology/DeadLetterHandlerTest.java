package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.buffer.Fragment;
import io.tailstream.buffer.FragmentBatch;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.decide.TraceFacts;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.metrics.TailstreamMetrics.DeadLetterReason;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.testing.Spans;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** The handler Kafka Streams calls when processing a record throws. */
class DeadLetterHandlerTest {
  private final TailstreamMetrics metrics = new TailstreamMetrics();

  private DeadLetterHandler handler(Encoding encoding, long maxBytes) {
    TailstreamConfig config = ConfigLoader.parse("kafka: { bootstrap-servers: unused:1 }\nencoding: "
        + encoding + "\n", "c.yaml", Path.of("."), Map.of()).withMaxDeadLetterRecordBytes(maxBytes);
    Properties props = new Properties();
    DeadLetterHandler.install(props, config, metrics);
    Map<String, Object> configs = new HashMap<>();
    props.forEach((k, v) -> configs.put((String) k, v));
    DeadLetterHandler handler = new DeadLetterHandler();
    handler.configure(configs);
    return handler;
  }

  private record Context(String topic, byte[] sourceRawKey, byte[] sourceRawValue, Headers headers)
      implements ErrorHandlerContext {
    @Override public int partition() { return 3; }
    @Override public long offset() { return 42; }
    @Override public String processorNodeId() { return "split"; }
    @Override public TaskId taskId() { return new TaskId(0, 3); }
    @Override public long timestamp() { return 0; }
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  @Test
  void aRecordWhoseProcessingThrowsGoesToTheDeadLetterTopicWithTheExceptionAndProcessingResumes() {
    byte[] value = "the input record".getBytes(StandardCharsets.UTF_8);
    RecordHeaders headers = new RecordHeaders();
    headers.add("from-the-producer", new byte[] {1});
    ProcessingExceptionHandler.Response response = handler(Encoding.OTLP_PROTO, 1 << 20).handleError(
        new Context("otlp_spans", new byte[] {7}, value, headers), new Record<>(null, null, 0),
        new ArithmeticException("/ by zero"));
    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).singleElement().satisfies(r -> {
      assertThat(r.topic()).isEqualTo("otlp_spans_dlq");
      assertThat(r.key()).containsExactly(7);
      assertThat(r.value()).isEqualTo(value);
      assertThat(header(r, io.tailstream.topology.Headers.EXCEPTION)).isEqualTo("java.lang.ArithmeticException");
      assertThat(header(r, io.tailstream.topology.Headers.ERROR)).contains("split").contains("/ by zero");
      assertThat(header(r, io.tailstream.topology.Headers.SOURCE)).isEqualTo("otlp_spans/3/42");
      assertThat(r.headers().lastHeader("from-the-producer")).isNotNull();
    });
    assertThat(metrics.deadLetterRecords(DeadLetterReason.PROCESSING_ERROR)).isEqualTo(1);
  }

  @Test
  void aFragmentFromTheByTraceTopicIsDeadLetteredAsOtlpInTheInputEncoding() throws Exception {
    var request = Spans.request(Spans.resource("svc", "s", Spans.span(Spans.traceId(1), 1, null, "root", 0, 1)));
    byte[] internal = InternalSerdes.FRAGMENT.serializer().serialize("", new Fragment(
        new TraceFacts(1, 10, 0, 1, true, false, Map.of(), Set.of("svc"), -1, -1), request.toByteArray()));
    ProcessingExceptionHandler.Response response = handler(Encoding.OTLP_JSON, 1 << 20).handleError(
        new Context("tailstream-by-trace", null, internal, new RecordHeaders()),
        new Record<>(null, null, 0), new IllegalStateException("boom"));
    byte[] value = response.deadLetterQueueRecords().get(0).value();
    assertThat(OtlpCodec.of(Encoding.OTLP_JSON).decode(value).request()).isEqualTo(request);
  }

  @Test
  void aBatchFromTheByTraceTopicIsDeadLetteredAsOneRequestWithAllItsSpans() throws Exception {
    var one = Spans.request(Spans.resource("svc", "s", Spans.span(Spans.traceId(1), 1, null, "root", 0, 1)));
    var two = Spans.request(Spans.resource("other", "s", Spans.span(Spans.traceId(2), 1, null, "root", 0, 1),
        Spans.span(Spans.traceId(2), 2, 1, "child", 0, 1)));
    TraceFacts facts = new TraceFacts(1, 10, 0, 1, true, false, Map.of(), Set.of("svc"), -1, -1);
    byte[] internal = InternalSerdes.BY_TRACE.serializer().serialize("", new FragmentBatch(1, List.of(
        new FragmentBatch.Entry(Bytes.wrap(Spans.traceId(1)), new Fragment(facts, one.toByteArray())),
        new FragmentBatch.Entry(Bytes.wrap(Spans.traceId(2)), new Fragment(facts, two.toByteArray())))));
    ProcessingExceptionHandler.Response response = handler(Encoding.OTLP_PROTO, 1 << 20).handleError(
        new Context("tailstream-by-trace", null, internal, new RecordHeaders()),
        new Record<>(null, null, 0), new IllegalStateException("boom"));
    var request = OtlpCodec.of(Encoding.OTLP_PROTO).decode(response.deadLetterQueueRecords().get(0).value()).request();
    assertThat(request.getResourceSpansList()).containsExactly(one.getResourceSpans(0), two.getResourceSpans(0));
  }

  @Test
  void aHugeExceptionMessageIsCutAndTheValueFitsTheTopic() {
    ProcessingExceptionHandler.Response response = handler(Encoding.OTLP_PROTO, 20_000).handleError(
        new Context("otlp_spans", null, new byte[100_000], new RecordHeaders()), new Record<>(null, null, 0),
        new IllegalArgumentException("x".repeat(1_000_000)));
    ProducerRecord<byte[], byte[]> r = response.deadLetterQueueRecords().get(0);
    int headerBytes = 0;
    for (var h : r.headers()) {
      headerBytes += h.key().length() + h.value().length;
    }
    assertThat(r.value().length + headerBytes).isLessThan(20_000);
    assertThat(header(r, io.tailstream.topology.Headers.TRUNCATED_FROM)).isEqualTo("100000");
  }

  @Test
  void controlTopicRecordsAreCountedButNotDeadLettered() {
    ProcessingExceptionHandler.Response response = handler(Encoding.OTLP_PROTO, 1 << 20).handleError(
        new Context("sampling_control", null, new byte[] {1}, new RecordHeaders()), new Record<>(null, null, 0),
        new NullPointerException("key"));
    assertThat(response.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    assertThat(response.deadLetterQueueRecords()).isEmpty();
    assertThat(metrics.deadLetterRecords(DeadLetterReason.PROCESSING_ERROR)).isEqualTo(1);
  }
}
