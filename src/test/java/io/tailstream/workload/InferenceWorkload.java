package io.tailstream.workload;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Synthetic traces of an ML inference request, as the pipelines tailstream is built for produce
 * them: gateway → feature retrieval → preprocessing → one to three model inferences (spans with
 * {@code gen_ai.request.model}) → ensemble when several models ran → post-processing, each stage
 * in its own service. A configurable share of traces fails, is slow end to end, or has one slow
 * model call. Seeded: the same seed gives the same traces. Used by tests, the demo and the
 * benchmark.
 */
public final class InferenceWorkload {
  private static final String[] MODELS = {"ranker-v3", "embedder-v2", "reranker-v1"};
  private static final long MS = 1_000_000L;

  /** What the generator made a trace to be. */
  public enum Kind { ERROR, SLOW, SLOW_MODEL, NORMAL }

  /** A generated trace: its id, what it is, and its spans grouped by service (one resource each). */
  public record Trace(byte[] traceId, Kind kind, List<ResourceSpans> resources) {
    public int spanCount() {
      return resources.stream().mapToInt(rs -> rs.getScopeSpans(0).getSpansCount()).sum();
    }

    public List<Span> spans() {
      List<Span> out = new ArrayList<>();
      resources.forEach(rs -> out.addAll(rs.getScopeSpans(0).getSpansList()));
      return out;
    }
  }

  private final Random random;
  private final double errorShare;
  private final double slowShare;
  private final double slowModelShare;
  private final long baseTimeNanos;

  public InferenceWorkload(long seed, double errorShare, double slowShare, double slowModelShare) {
    this.random = new Random(seed);
    this.errorShare = errorShare;
    this.slowShare = slowShare;
    this.slowModelShare = slowModelShare;
    this.baseTimeNanos = System.currentTimeMillis() * MS;
  }

  public Trace next() {
    double roll = random.nextDouble();
    Kind kind = roll < errorShare ? Kind.ERROR
        : roll < errorShare + slowShare ? Kind.SLOW
        : roll < errorShare + slowShare + slowModelShare ? Kind.SLOW_MODEL
        : Kind.NORMAL;
    byte[] traceId = new byte[16];
    random.nextBytes(traceId);
    traceId[0] |= 1;
    Builder b = new Builder(traceId, baseTimeNanos + random.nextInt(1_000_000) * MS);

    int models = 1 + random.nextInt(3);
    int slowModelIndex = kind == Kind.SLOW_MODEL ? random.nextInt(models) : -1;
    int failing = kind == Kind.ERROR ? random.nextInt(3 + models) : -1;

    long featureMs = kind == Kind.SLOW ? 2_100 + random.nextInt(900) : 20 + random.nextInt(40);
    long t = 1;
    int root = b.reserve();
    t = b.child("feature-store", "GET /features", root, t, featureMs, failing == 0, null);
    t = b.child("preprocessor", "preprocess", root, t, 10 + random.nextInt(20), failing == 1, null);
    for (int i = 0; i < models; i++) {
      // The slow call is always the ranker (limit 800ms) so that the trace stays under the
      // 2s end-to-end limit and is kept for its model, not for its latency.
      String model = i == slowModelIndex ? "ranker-v3" : MODELS[random.nextInt(MODELS.length)];
      long ms = i == slowModelIndex ? 850 + random.nextInt(100) : 40 + random.nextInt(200);
      t = b.child("model-server", "inference " + model, root, t, ms, failing == 2 + i, model);
    }
    if (models > 1) {
      t = b.child("ensembler", "ensemble", root, t, 5 + random.nextInt(15), false, null);
    }
    t = b.child("postprocessor", "postprocess", root, t, 5 + random.nextInt(10),
        failing == 2 + models, null);
    b.root(root, "POST /v1/predict", t + 2);
    return new Trace(traceId, kind, b.resources());
  }

  /** Builds spans; the gateway root is written last, when its duration is known. */
  private static final class Builder {
    private final byte[] traceId;
    private final long startNanos;
    private final Map<String, ScopeSpans.Builder> byService = new java.util.LinkedHashMap<>();
    private int nextSpan = 1;

    Builder(byte[] traceId, long startNanos) {
      this.traceId = traceId;
      this.startNanos = startNanos;
      byService.put("gateway", null);
    }

    int reserve() {
      return nextSpan++;
    }

    long child(String service, String name, int parent, long atMs, long ms,
        boolean error, String model) {
      Span.Builder s = span(nextSpan++, parent, name, atMs, ms).setKind(Span.SpanKind.SPAN_KIND_SERVER);
      if (error) {
        s.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)
            .setMessage(name + " failed"));
      }
      if (model != null) {
        s.addAttributes(attribute("gen_ai.request.model", model))
            .addAttributes(attribute("gen_ai.operation.name", "inference"));
      }
      scope(service).addSpans(s);
      return atMs + ms;
    }

    void root(int id, String name, long ms) {
      scope("gateway").addSpans(span(id, null, name, 0, ms).setKind(Span.SpanKind.SPAN_KIND_SERVER));
    }

    private Span.Builder span(int id, Integer parent, String name, long atMs, long ms) {
      Span.Builder s = Span.newBuilder()
          .setTraceId(ByteString.copyFrom(traceId))
          .setSpanId(ByteString.copyFrom(spanId(id)))
          .setName(name)
          .setStartTimeUnixNano(startNanos + atMs * MS)
          .setEndTimeUnixNano(startNanos + (atMs + ms) * MS);
      if (parent != null) {
        s.setParentSpanId(ByteString.copyFrom(spanId(parent)));
      }
      return s;
    }

    private byte[] spanId(int n) {
      byte[] id = new byte[8];
      System.arraycopy(traceId, 0, id, 0, 4);
      id[0] |= 1;
      id[7] = (byte) n;
      return id;
    }

    private ScopeSpans.Builder scope(String service) {
      ScopeSpans.Builder scope = byService.get(service);
      if (scope == null) {
        scope = ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder()
            .setName("io.opentelemetry.instrumentation").setVersion("2.10.0"));
        byService.put(service, scope);
      }
      return scope;
    }

    List<ResourceSpans> resources() {
      List<ResourceSpans> out = new ArrayList<>();
      byService.forEach((service, scope) -> out.add(ResourceSpans.newBuilder()
          .setResource(Resource.newBuilder()
              .addAttributes(attribute("service.name", service))
              .addAttributes(attribute("deployment.environment", "prod")))
          .addScopeSpans(scope)
          .build()));
      return out;
    }
  }

  static KeyValue attribute(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }
}
