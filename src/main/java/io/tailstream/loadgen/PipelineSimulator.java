package io.tailstream.loadgen;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Simulates an ML inference platform with the real OpenTelemetry SDK: each service has its own
 * tracer provider (so its own Resource), spans are created through the API with explicit
 * timestamps and exported to memory. A request: gateway → feature-store → preprocessor → one to
 * three model inferences on model-server ({@code gen_ai.request.model},
 * {@code gen_ai.operation.name}) → ensembler when several models ran → postprocessor. Stage
 * latencies are log-normal; a small share of requests fail (status ERROR with an exception event);
 * 5% are health checks. Seeded ids and draws: the same seed gives the same traffic.
 */
public final class PipelineSimulator implements AutoCloseable {
  /** Models and their median inference time in ms. */
  public static final Map<String, Double> MODELS =
      Map.of("ranker-v3", 120.0, "embedder-v2", 60.0, "reranker-v1", 200.0);
  private static final String[] MODEL_NAMES = {"ranker-v3", "embedder-v2", "reranker-v1"};
  private static final String[] TENANTS = {"initech", "umbrella", "hooli", "stark", "wayne",
      "wonka", "tyrell", "soylent", "acme", "globex"};
  private static final double[] TENANT_WEIGHTS = {30, 20, 15, 10, 8, 6, 5, 4, 1, 1};
  private static final String[] ROUTES = {"/v1/predict", "/v1/rank", "/v1/embed", "/v1/recommend"};
  private static final double[] ROUTE_WEIGHTS = {60, 25, 10, 5};
  private static final AttributeKey<String> MODEL = AttributeKey.stringKey("gen_ai.request.model");
  private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");

  /** A generated trace: its spans and which incident, if any, made it anomalous. */
  public record Trace(String traceId, List<SpanData> spans, Incident.Kind incident) {}

  private final Random random;
  private final Collector collector = new Collector();
  private final Map<String, SdkTracerProvider> providers = new LinkedHashMap<>();
  private final Map<String, Tracer> tracers = new LinkedHashMap<>();
  private final double errorRate;

  public PipelineSimulator(long seed, double errorRate) {
    this.random = new Random(seed);
    this.errorRate = errorRate;
    IdGenerator ids = new SeededIds(new Random(seed ^ 0x5DEECE66DL));
    for (String service : List.of("gateway", "feature-store", "preprocessor", "model-server",
        "ensembler", "postprocessor")) {
      SdkTracerProvider provider = SdkTracerProvider.builder()
          .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
              AttributeKey.stringKey("service.name"), service,
              AttributeKey.stringKey("service.version"), "2026.11.3",
              AttributeKey.stringKey("deployment.environment"), "prod"))))
          .setIdGenerator(ids)
          .addSpanProcessor(SimpleSpanProcessor.create(collector))
          .build();
      providers.put(service, provider);
      tracers.put(service, provider.get("io.tailstream.loadgen", "1.0"));
    }
  }

  /** One request starting at {@code startNanos} (epoch), under the incidents active now. */
  public Trace next(long startNanos, List<Incident> active) {
    collector.spans.clear();
    if (random.nextDouble() < 0.05) {
      Span health = tracers.get("gateway").spanBuilder("GET /healthz").setSpanKind(SpanKind.SERVER)
          .setNoParent().setStartTimestamp(startNanos, TimeUnit.NANOSECONDS).startSpan();
      health.end(startNanos + 1_000_000, TimeUnit.NANOSECONDS);
      return new Trace(health.getSpanContext().getTraceId(), List.copyOf(collector.spans), null);
    }
    Incident.Kind incident = null;
    String route = pick(ROUTES, ROUTE_WEIGHTS);
    Span root = tracers.get("gateway").spanBuilder("POST " + route).setSpanKind(SpanKind.SERVER)
        .setNoParent().setStartTimestamp(startNanos, TimeUnit.NANOSECONDS)
        .setAttribute("http.route", route)
        .setAttribute("http.request.method", "POST")
        .setAttribute("tenant", pick(TENANTS, TENANT_WEIGHTS))
        .setAttribute("batch.size", random.nextDouble() < 0.005 ? 512 : 1L << random.nextInt(7))
        .startSpan();
    Context parent = Context.root().with(root);
    int failing = random.nextDouble() < errorRate ? random.nextInt(5) : -1;
    long t = startNanos + ms(0.5);

    double featureMs = logNormal(25, 0.5);
    // Incidents touch part of the traffic, as real ones do: a slow feature-store shard serves a
    // fifth of the requests; a latency spike or error burst hits a third of a model's calls.
    Incident slowFeatures = find(active, Incident.Kind.SLOW_FEATURE_STORE, null);
    if (slowFeatures != null && random.nextDouble() < 0.2) {
      featureMs = 400 + random.nextDouble() * 500;
      incident = Incident.Kind.SLOW_FEATURE_STORE;
    }
    t = stage("feature-store", "GET /features", SpanKind.SERVER, parent, t, featureMs, failing == 0);
    t = stage("preprocessor", "preprocess", SpanKind.INTERNAL, parent, t, logNormal(12, 0.4), failing == 1);

    int models = 1 + random.nextInt(3);
    for (int i = 0; i < models; i++) {
      String model = MODEL_NAMES[random.nextInt(MODEL_NAMES.length)];
      double inferenceMs = logNormal(MODELS.get(model), 0.35);
      boolean fail = failing == 2 && i == 0;
      if (find(active, Incident.Kind.LATENCY_SPIKE, model) != null && random.nextDouble() < 0.33) {
        inferenceMs = 2_100 + random.nextDouble() * 900; // past the 2 s end-to-end limit
        incident = Incident.Kind.LATENCY_SPIKE;
      }
      if (find(active, Incident.Kind.ERROR_BURST, model) != null && random.nextDouble() < 0.33) {
        fail = true;
        incident = Incident.Kind.ERROR_BURST;
      }
      Span s = tracers.get("model-server").spanBuilder("inference " + model)
          .setSpanKind(SpanKind.SERVER).setParent(parent)
          .setStartTimestamp(t, TimeUnit.NANOSECONDS)
          .setAttribute(MODEL, model)
          .setAttribute(OPERATION, "inference")
          .setAttribute("model.version", model.endsWith("v3") ? "3.2.1" : "1.0.4")
          .startSpan();
      if (fail) {
        fail(s, new IllegalStateException(model + ": CUDA out of memory"));
      }
      t += ms(inferenceMs);
      s.end(t, TimeUnit.NANOSECONDS);
    }
    if (models > 1) {
      t = stage("ensembler", "ensemble", SpanKind.INTERNAL, parent, t, logNormal(8, 0.4), false);
    }
    t = stage("postprocessor", "postprocess", SpanKind.INTERNAL, parent, t, logNormal(6, 0.4), failing == 3);
    if (failing == 4) {
      fail(root, new IllegalArgumentException("invalid request payload"));
    }
    root.end(t + ms(0.5), TimeUnit.NANOSECONDS);
    return new Trace(root.getSpanContext().getTraceId(), List.copyOf(collector.spans), incident);
  }

  private long stage(String service, String name, SpanKind kind, Context parent, long t, double ms,
      boolean fail) {
    Span s = tracers.get(service).spanBuilder(name).setSpanKind(kind).setParent(parent)
        .setStartTimestamp(t, TimeUnit.NANOSECONDS).startSpan();
    if (fail) {
      fail(s, new RuntimeException(name + " failed: upstream timeout"));
    }
    long end = t + ms(ms);
    s.end(end, TimeUnit.NANOSECONDS);
    return end;
  }

  private static void fail(Span s, Exception e) {
    s.recordException(e);
    s.setStatus(StatusCode.ERROR, e.getMessage());
  }

  private static Incident find(List<Incident> active, Incident.Kind kind, String target) {
    for (Incident i : active) {
      if (i.kind() == kind && (target == null || i.target().equals(target))) {
        return i;
      }
    }
    return null;
  }

  private double logNormal(double median, double sigma) {
    return median * Math.exp(sigma * random.nextGaussian());
  }

  private String pick(String[] values, double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double r = random.nextDouble() * total;
    for (int i = 0; i < values.length; i++) {
      r -= weights[i];
      if (r <= 0) {
        return values[i];
      }
    }
    return values[values.length - 1];
  }

  private static long ms(double ms) {
    return (long) (ms * 1_000_000);
  }

  @Override
  public void close() {
    providers.values().forEach(SdkTracerProvider::close);
  }

  /** Collects ended spans in memory (the simulator is single-threaded). */
  private static final class Collector implements SpanExporter {
    final List<SpanData> spans = new ArrayList<>();

    @Override
    public CompletableResultCode export(Collection<SpanData> batch) {
      spans.addAll(batch);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /** Trace and span ids from a seeded generator, so runs are reproducible. */
  private static final class SeededIds implements IdGenerator {
    private static final HexFormat HEX = HexFormat.of();
    private final Random random;

    SeededIds(Random random) {
      this.random = random;
    }

    @Override
    public synchronized String generateSpanId() {
      long id;
      do {
        id = random.nextLong();
      } while (id == 0);
      return HEX.toHexDigits(id);
    }

    @Override
    public synchronized String generateTraceId() {
      long high;
      do {
        high = random.nextLong();
      } while (high == 0);
      return HEX.toHexDigits(high) + HEX.toHexDigits(random.nextLong());
    }
  }
}
