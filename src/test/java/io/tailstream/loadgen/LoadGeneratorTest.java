package io.tailstream.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.TraceIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The generator's output, parsed back with the OTLP classes. */
class LoadGeneratorTest {
  private static LoadGenerator generator(Encoding encoding) {
    return new LoadGenerator(new LoadGenerator.Settings(new Properties(), "t", 100, Duration.ofSeconds(1),
        List.of(), false, encoding, 1, 10, 0.01));
  }

  private static List<PipelineSimulator.Trace> traces(long seed, int n, List<Incident> incidents) {
    List<PipelineSimulator.Trace> out = new ArrayList<>();
    try (PipelineSimulator sim = new PipelineSimulator(seed, 0.05)) {
      for (int i = 0; i < n; i++) {
        out.add(sim.next(1_700_000_000_000_000_000L + i * 1_000_000L, incidents));
      }
    }
    return out;
  }

  @Test
  void producesTheMlPipelineAsOtlpThatParsesBackInBothEncodings() throws Exception {
    List<PipelineSimulator.Trace> traces = traces(3, 200, List.of());
    List<io.opentelemetry.sdk.trace.data.SpanData> all = new ArrayList<>();
    traces.forEach(t -> all.addAll(t.spans()));
    for (Encoding encoding : Encoding.values()) {
      ExportTraceServiceRequest request = OtlpCodec.of(encoding).decode(generator(encoding).encode(all)).request();
      Set<String> services = new HashSet<>();
      Set<String> models = new HashSet<>();
      int spans = 0;
      boolean errorWithException = false;
      for (ResourceSpans rs : request.getResourceSpansList()) {
        rs.getResource().getAttributesList().stream().filter(a -> a.getKey().equals("service.name"))
            .forEach(a -> services.add(a.getValue().getStringValue()));
        for (var ss : rs.getScopeSpansList()) {
          for (Span s : ss.getSpansList()) {
            spans++;
            assertThat(s.getTraceId().size()).isEqualTo(16);
            s.getAttributesList().stream().filter(a -> a.getKey().equals("gen_ai.request.model"))
                .forEach(a -> models.add(a.getValue().getStringValue()));
            if (s.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR) {
              errorWithException |= s.getEventsList().stream().anyMatch(e -> e.getName().equals("exception"));
            }
          }
        }
      }
      assertThat(spans).isEqualTo(all.size());
      assertThat(services).containsExactlyInAnyOrder("gateway", "feature-store", "preprocessor",
          "model-server", "ensembler", "postprocessor");
      assertThat(models).containsExactlyInAnyOrder("ranker-v3", "embedder-v2", "reranker-v1");
      assertThat(errorWithException).isTrue();
    }
  }

  @Test
  void theSameSeedGivesTheSameTraffic() {
    List<PipelineSimulator.Trace> a = traces(42, 50, List.of());
    List<PipelineSimulator.Trace> b = traces(42, 50, List.of());
    assertThat(a).extracting(PipelineSimulator.Trace::traceId)
        .containsExactlyElementsOf(b.stream().map(PipelineSimulator.Trace::traceId).toList());
    assertThat(a.get(7).spans()).extracting(s -> s.getEndEpochNanos() - s.getStartEpochNanos())
        .containsExactlyElementsOf(b.get(7).spans().stream().map(s -> s.getEndEpochNanos() - s.getStartEpochNanos()).toList());
    assertThat(traces(43, 1, List.of()).get(0).traceId()).isNotEqualTo(a.get(0).traceId());
  }

  @Test
  void incidentsShapeTheTracesTheyTouchAndOnlyThose() {
    Incident burst = Incident.parse("error-burst:ranker-v3@0s+1m");
    Incident spike = Incident.parse("latency-spike:embedder-v2@0s");
    Incident slow = Incident.parse("slow-feature-store:feature-store@0s");
    java.util.Map<Incident.Kind, Integer> seen = new java.util.EnumMap<>(Incident.Kind.class);
    for (PipelineSimulator.Trace t : traces(9, 600, List.of(burst, spike, slow))) {
      long featureMs = maxMs(t, "GET /features");
      long embedderMs = maxMs(t, "inference embedder-v2");
      if (t.incident() == null) {
        assertThat(featureMs).isLessThan(400);
        assertThat(embedderMs).isLessThan(2_000);
        continue;
      }
      seen.merge(t.incident(), 1, Integer::sum);
      switch (t.incident()) {
        case SLOW_FEATURE_STORE -> assertThat(featureMs).isGreaterThanOrEqualTo(400);
        case LATENCY_SPIKE -> assertThat(embedderMs).isGreaterThan(2_000);
        case ERROR_BURST -> assertThat(t.spans()).anySatisfy(s -> {
          assertThat(s.getName()).isEqualTo("inference ranker-v3");
          assertThat(s.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
        });
      }
      assertThat(TraceIds.fromHex(t.traceId())).hasSize(16);
    }
    assertThat(seen).containsOnlyKeys(Incident.Kind.values());
  }

  private static long maxMs(PipelineSimulator.Trace t, String name) {
    return t.spans().stream().filter(s -> s.getName().equals(name))
        .mapToLong(s -> (s.getEndEpochNanos() - s.getStartEpochNanos()) / 1_000_000).max().orElse(0);
  }

  @Test
  void incidentSpecs() {
    assertThat(Incident.parse("latency-spike:embedder-v2@2m+30s")).isEqualTo(new Incident(
        Incident.Kind.LATENCY_SPIKE, "embedder-v2", Duration.ofMinutes(2), Duration.ofSeconds(30)));
    assertThat(Incident.parse("error-burst:ranker-v3@60s").activeAt(Duration.ofSeconds(79))).isTrue();
    assertThat(Incident.parse("error-burst:ranker-v3@60s").activeAt(Duration.ofSeconds(80))).isFalse();
    assertThatThrownBy(() -> Incident.parse("meteor:ranker@1s")).hasMessageContaining("kinds: error-burst");
    assertThatThrownBy(() -> Incident.parse("error-burst")).hasMessageContaining("KIND:TARGET@START");
  }
}
