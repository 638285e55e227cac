package io.tailstream.app;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.tailstream.adapt.EffectiveRates;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP port, GET only:
 * <ul>
 *   <li>{@code /metrics}: Prometheus text exposition of every meter;</li>
 *   <li>{@code /health/live}: 200 unless the instance has failed (a restart is what helps);</li>
 *   <li>{@code /health/ready}: 200 only while Kafka Streams is RUNNING with rules loaded;</li>
 *   <li>{@code /api/sampling?service=NAME}: Jaeger's remote sampling response, so SDKs with a
 *       Jaeger remote sampler follow tailstream's effective rates (503 until rates are known).</li>
 * </ul>
 * Served by {@link HttpPort}, which reads every request without blocking a thread and bounds
 * its size and time, so that slow or hostile clients cannot starve the kubelet's probes (see
 * there why not the JDK's HTTP server). No web framework for a handful of small GET endpoints.
 */
final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** A probe's answer: whether it passes and a short JSON-able reason. */
  record Probe(boolean up, String state, String rulesVersion) {
    String json() {
      JsonObject o = new JsonObject();
      o.addProperty("status", up ? "UP" : "DOWN");
      o.addProperty("state", state);
      if (rulesVersion != null) {
        o.addProperty("rules", rulesVersion);
      }
      return o.toString();
    }
  }

  /** What the endpoints read; implemented by the running instance. */
  interface Source {
    /** The effective rates, or null before they are known. */
    EffectiveRates.Snapshot rates();

    String scrape();

    Probe live();

    Probe ready();

    /** A client was refused before its request was handled (slow, oversized or malformed). */
    default void refused(HttpPort.Refusal why) {}
  }

  private final HttpPort port;
  private final Map<String, Endpoint> endpoints;

  AdminServer(String bind, int port, Source source) throws IOException {
    this(bind, port, source, HttpPort.Limits.defaults());
  }

  AdminServer(String bind, int port, Source source, HttpPort.Limits limits) throws IOException {
    endpoints = Map.of(
        "/api/sampling", request -> sampling(source, query(request, "service")),
        "/metrics", request -> new HttpMessages.Response(200, PROMETHEUS_TEXT,
            source.scrape().getBytes(StandardCharsets.UTF_8)),
        "/health/live", request -> probe(source.live()),
        "/health/ready", request -> probe(source.ready()));
    this.port = new HttpPort(bind, port, limits, this::route, source::refused);
    log.info("admin HTTP on port {}", port());
  }

  private interface Endpoint {
    HttpMessages.Response answer(HttpMessages.Request request);
  }

  /** Exact-path GET endpoints; anything else is 404 or 405. */
  private HttpMessages.Response route(HttpMessages.Request request) {
    Endpoint endpoint = endpoints.get(request.path());
    if (endpoint == null) {
      return HttpMessages.Response.json(404, "{\"error\":\"not found\"}");
    }
    if (!request.method().equals("GET")) {
      return HttpMessages.Response.json(405, "{\"error\":\"only GET: nothing on this port changes state\"}");
    }
    return endpoint.answer(request);
  }

  private static HttpMessages.Response sampling(Source source, String service) {
    if (service == null || service.isBlank()) {
      return HttpMessages.Response.json(400, "{\"error\":\"service query parameter is required\"}");
    }
    EffectiveRates.Snapshot rates = source.rates();
    if (rates == null) {
      return HttpMessages.Response.json(503,
          "{\"error\":\"rates are not known yet: the instance is starting\"}");
    }
    return HttpMessages.Response.json(200, jaegerRemote(rates.forService(service)));
  }

  private static HttpMessages.Response probe(Probe probe) {
    return HttpMessages.Response.json(probe.up() ? 200 : 503, probe.json());
  }

  int port() {
    return port.port();
  }

  /** Jaeger remote sampling response (the JSON of its SamplingStrategyResponse). */
  static String jaegerRemote(double rate) {
    JsonObject probabilistic = new JsonObject();
    probabilistic.addProperty("samplingRate", rate);
    JsonObject operations = new JsonObject();
    operations.addProperty("defaultSamplingProbability", rate);
    operations.addProperty("defaultLowerBoundTracesPerSecond", 0);
    operations.add("perOperationStrategies", new JsonArray());
    JsonObject o = new JsonObject();
    o.addProperty("strategyType", "PROBABILISTIC");
    o.add("probabilisticSampling", probabilistic);
    o.add("operationSampling", operations);
    return o.toString();
  }

  private static String query(HttpMessages.Request request, String name) {
    String q = request.rawQuery();
    if (q == null) {
      return null;
    }
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        try {
          return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          return null; // a malformed %-escape: treated as missing, so the caller answers 400
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    port.close();
  }
}
