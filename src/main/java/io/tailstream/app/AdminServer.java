package io.tailstream.app;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tailstream.adapt.EffectiveRates;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
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
 * Built on the JDK's HTTP server: no web framework for a handful of small GET endpoints.
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
  }

  private final HttpServer server;
  private final java.util.concurrent.ExecutorService executor;

  AdminServer(String bind, int port, Source source) throws IOException {
    server = HttpServer.create(new InetSocketAddress(bind, port), 0);
    // A few threads, so that a slow scrape never makes the kubelet's probes time out behind it.
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    executor = Executors.newFixedThreadPool(3, r -> {
      Thread t = new Thread(r, "tailstream-admin-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    get("/api/sampling", exchange -> {
      String service = query(exchange, "service");
      if (service == null || service.isBlank()) {
        respond(exchange, 400, "{\"error\":\"service query parameter is required\"}");
        return;
      }
      EffectiveRates.Snapshot rates = source.rates();
      if (rates == null) {
        respond(exchange, 503, "{\"error\":\"rates are not known yet: the instance is starting\"}");
        return;
      }
      respond(exchange, 200, jaegerRemote(rates.forService(service)));
    });
    get("/metrics", exchange -> respond(exchange, 200, PROMETHEUS_TEXT, source.scrape()));
    get("/health/live", exchange -> probe(exchange, source.live()));
    get("/health/ready", exchange -> probe(exchange, source.ready()));
    server.start();
    log.info("admin HTTP on port {}", port());
  }

  private interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  /** An exact-path GET endpoint; anything else on it is 404 or 405. */
  private void get(String path, Handler handler) {
    server.createContext(path, exchange -> {
      try {
        if (!exchange.getRequestURI().getPath().equals(path)) {
          respond(exchange, 404, "{\"error\":\"not found\"}");
        } else if (!exchange.getRequestMethod().equals("GET")) {
          respond(exchange, 405, "{\"error\":\"only GET: nothing on this port changes state\"}");
        } else {
          handler.handle(exchange);
        }
      } catch (RuntimeException e) {
        log.warn("admin endpoint {} failed", path, e);
        respond(exchange, 500, "{\"error\":\"internal error, see the instance's log\"}");
      } finally {
        exchange.close();
      }
    });
  }

  private static void probe(HttpExchange exchange, Probe probe) throws IOException {
    respond(exchange, probe.up() ? 200 : 503, probe.json());
  }

  int port() {
    return server.getAddress().getPort();
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

  private static String query(HttpExchange exchange, String name) {
    String q = exchange.getRequestURI().getRawQuery();
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

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    respond(exchange, status, "application/json", body);
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
