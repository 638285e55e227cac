package io.tailstream.demo;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.tailstream.adapt.StageMap;
import io.tailstream.loadgen.Incident;
import io.tailstream.loadgen.LoadGenerator;
import io.tailstream.loadgen.PipelineSimulator;
import io.tailstream.otlp.Encoding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the demo saw, from both ends: every trace sent (and which incident made it anomalous) and
 * every kept span read back from the output topic. Thread-safe; per-second series for the charts.
 */
final class DemoRecorder {
  static final int MAX_SECONDS = 3_600;

  /** What a sent incident trace must look like on the output: this many spans. */
  record Expected(Incident.Kind kind, int spans) {}

  private volatile long startNanos = System.nanoTime();
  final AtomicLongArray spansIn = new AtomicLongArray(MAX_SECONDS);
  final AtomicLongArray spansOut = new AtomicLongArray(MAX_SECONDS);
  final Map<String, Expected> incidentTraces = new ConcurrentHashMap<>();
  final Map<String, Integer> keptSpans = new ConcurrentHashMap<>();
  private final Map<String, Recorder> liveInference = new ConcurrentHashMap<>();
  private final Map<String, Histogram> allInference = new TreeMap<>();
  private final List<String> events = new ArrayList<>();
  /** Stages as the demo's tailstream classifies them (its config keeps the default mapping). */
  final StageBreakdown allStages = new StageBreakdown(StageMap.defaults());
  final StageBreakdown keptStages = new StageBreakdown(StageMap.defaults());

  /** Starts the clock of the per-second series: call when traffic starts. */
  void begin() {
    startNanos = System.nanoTime();
  }

  int second() {
    return (int) Math.min(MAX_SECONDS - 1, Duration.ofNanos(System.nanoTime() - startNanos).toSeconds());
  }

  void sent(PipelineSimulator.Trace trace, Duration elapsed) {
    int s = second();
    spansIn.addAndGet(s, trace.spans().size());
    if (trace.incident() != null) {
      incidentTraces.put(trace.traceId(), new Expected(trace.incident(), trace.spans().size()));
    }
    try {
      // The spans as tailstream reads them, so that both sides of the breakdown see the same.
      allStages.add(ExportTraceServiceRequest.parseFrom(LoadGenerator.encode(trace.spans(), Encoding.OTLP_PROTO)));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("the SDK's own encoding does not parse", e);
    }
    for (SpanData span : trace.spans()) {
      String model = span.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("gen_ai.request.model"));
      if (model != null) {
        long micros = Math.max(1, (span.getEndEpochNanos() - span.getStartEpochNanos()) / 1000);
        liveInference.computeIfAbsent(model, m -> new Recorder(3_600_000_000L, 2)).recordValue(Math.min(micros, 3_600_000_000L));
        synchronized (allInference) {
          allInference.computeIfAbsent(model, m -> new Histogram(3_600_000_000L, 2))
              .recordValue(Math.min(micros, 3_600_000_000L));
        }
      }
    }
  }

  void kept(String traceId, String rule, ExportTraceServiceRequest request, int spans) {
    keptStages.add(request);
    spansOut.addAndGet(second(), spans);
    keptSpans.merge(traceId, spans, Integer::sum);
  }

  synchronized void event(String text) {
    events.add(String.format("%4ds  %s", second(), text));
  }

  synchronized List<String> events() {
    return List.copyOf(events);
  }

  /** Per model, p99 inference time (ms) since the last call: the live view's column. */
  Map<String, Double> liveP99() {
    Map<String, Double> out = new TreeMap<>();
    liveInference.forEach((model, r) -> {
      Histogram h = r.getIntervalHistogram();
      if (h.getTotalCount() > 0) {
        out.put(model, h.getValueAtPercentile(99) / 1000d);
      }
    });
    return out;
  }

  /** Per model, {p50, p95, p99} over the whole run, in ms. */
  Map<String, double[]> inferencePercentiles() {
    Map<String, double[]> out = new TreeMap<>();
    synchronized (allInference) {
      allInference.forEach((model, h) -> out.put(model, new double[] {
          h.getValueAtPercentile(50) / 1000d, h.getValueAtPercentile(95) / 1000d,
          h.getValueAtPercentile(99) / 1000d}));
    }
    return out;
  }
}
