package io.tailstream.demo;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.adapt.StageMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Span durations per pipeline stage of the spans added, classified as tailstream classifies
 * them ({@link StageMap}), with exact percentiles: the demo keeps one for all the traffic it
 * sent and one for the kept traces it read back, so the report can set them side by side.
 */
final class StageBreakdown {
  private static final long MAX_MICROS = 3_600_000_000L;

  /** One stage's figures, in ms; {@code share} is the stage's percentile over the request's. */
  record Row(long spans, double p50Ms, double p99Ms, double p50Share, double p99Share) {}

  private final StageMap map;
  private final Histogram[] micros;

  StageBreakdown(StageMap map) {
    this.map = map;
    this.micros = new Histogram[map.stages().size()];
    for (int i = 0; i < micros.length; i++) {
      micros[i] = new Histogram(MAX_MICROS, 2);
    }
  }

  synchronized void add(ExportTraceServiceRequest request) {
    for (ResourceSpans rs : request.getResourceSpansList()) {
      String service = service(rs.getResource().getAttributesList());
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          long us = (span.getEndTimeUnixNano() - span.getStartTimeUnixNano()) / 1000;
          micros[map.classify(span, service, span.getParentSpanId().isEmpty())]
              .recordValue(Math.max(1, Math.min(MAX_MICROS, us)));
        }
      }
    }
  }

  /**
   * Per stage with spans, in the mapping's order. Shares are against {@code rootStage} (the
   * stage of root spans, the end-to-end latency), 0 when it had none.
   */
  synchronized Map<String, Row> rows(String rootStage) {
    int root = map.stages().indexOf(rootStage);
    Histogram r = root < 0 ? null : micros[root];
    double root50 = r == null || r.getTotalCount() == 0 ? 0 : r.getValueAtPercentile(50);
    double root99 = r == null || r.getTotalCount() == 0 ? 0 : r.getValueAtPercentile(99);
    Map<String, Row> out = new LinkedHashMap<>();
    List<String> stages = map.stages();
    for (int i = 0; i < stages.size(); i++) {
      Histogram h = micros[i];
      if (h.getTotalCount() == 0) {
        continue;
      }
      double p50 = h.getValueAtPercentile(50);
      double p99 = h.getValueAtPercentile(99);
      out.put(stages.get(i), new Row(h.getTotalCount(), p50 / 1000, p99 / 1000,
          root50 == 0 ? 0 : p50 / root50, root99 == 0 ? 0 : p99 / root99));
    }
    return out;
  }

  private static String service(List<KeyValue> attributes) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals("service.name")) {
        return kv.getValue().getStringValue();
      }
    }
    return null;
  }
}
