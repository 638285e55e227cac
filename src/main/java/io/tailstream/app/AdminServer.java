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
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP port: {@code GET /api/sampling?service=NAME} answers in the shape of Jaeger's
 * remote sampling endpoint, so SDKs with a Jaeger remote sampler follow tailstream's effective
 * rates (and raise head sampling during an incident). Built on the JDK's HTTP server: no web
 * framework for a handful of small GET endpoints.
 */
final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  private final HttpServer server;

  AdminServer(String bind, int port, Supplier<EffectiveRates.Snapshot> rates) throws IOException {
    server = HttpServer.create(new InetSocketAddress(bind, port), 0);
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tailstream-admin");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/api/sampling", exchange -> {
      if (!exchange.getRequestMethod().equals("GET")) {
        respond(exchange, 405, "{\"error\":\"only GET: nothing on this port changes state\"}");
        return;
      }
      String service = query(exchange, "service");
      if (service == null || service.isBlank()) {
        respond(exchange, 400, "{\"error\":\"service query parameter is required\"}");
        return;
      }
      respond(exchange, 200, jaegerRemote(rates.get().forService(service)));
    });
    server.start();
    log.info("admin HTTP on port {}", port());
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
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
