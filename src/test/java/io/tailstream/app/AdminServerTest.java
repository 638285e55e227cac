package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
  private final FakeAdminSource source = new FakeAdminSource();
  private final HttpClient http = HttpClient.newHttpClient();
  private AdminServer server;

  @BeforeEach
  void open() throws IOException {
    server = new AdminServer("127.0.0.1", 0, source);
  }

  @AfterEach
  void close() {
    server.close();
  }

  @Test
  void metricsAreServedInThePrometheusTextFormat() throws Exception {
    source.scrape = "# TYPE tailstream_spans_in_total counter\ntailstream_spans_in_total 3.0\n";
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains(AdminServer.PROMETHEUS_TEXT);
    assertThat(r.body()).isEqualTo(source.scrape);
  }

  @Test
  void readinessFollowsTheProbeAndSaysWhy() throws Exception {
    HttpResponse<String> notYet = get("/health/ready");
    assertThat(notYet.statusCode()).isEqualTo(503);
    assertThat(notYet.body()).contains("\"status\":\"DOWN\"").contains("\"state\":\"REBALANCING\"")
        .contains("\"rules\":\"v1\"");
    source.ready = new AdminServer.Probe(true, "RUNNING", "v1");
    assertThat(get("/health/ready").statusCode()).isEqualTo(200);
  }

  @Test
  void livenessFailsOnlyWhenTheInstanceFailed() throws Exception {
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    source.live = new AdminServer.Probe(false, "ERROR", null);
    HttpResponse<String> failed = get("/health/live");
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(failed.body()).contains("\"state\":\"ERROR\"");
  }

  @Test
  void samplingEndpointSaysWhenRatesAreNotKnownYet() throws Exception {
    HttpResponse<String> r = get("/api/sampling?service=ranker");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("starting");
  }

  @Test
  void aMalformedQueryIsABadRequest() throws Exception {
    // java.net.URI refuses to build this request, so it goes over a plain socket.
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.getOutputStream().write(("GET /api/sampling?service=%zz HTTP/1.1\r\nHost: x\r\n"
          + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String status = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
          java.nio.charset.StandardCharsets.US_ASCII)).readLine();
      assertThat(status).isEqualTo("HTTP/1.1 400 Bad Request");
    }
  }

  @Test
  void unknownPathsAndWritesAreRefused() throws Exception {
    assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);
    assertThat(get("/health/other").statusCode()).isEqualTo(404);
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/health/ready"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void aSlowScrapeDoesNotHoldUpTheProbes() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    FakeAdminSource slow = new FakeAdminSource() {
      @Override
      public String scrape() {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return "";
      }
    };
    try (AdminServer server = new AdminServer("127.0.0.1", 0, slow)) {
      var scrape = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
          + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + server.port() + "/health/live")).timeout(java.time.Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      assertThat(scrape).isNotDone();
      release.countDown();
      assertThat(scrape.get().statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aFailingSourceAnswers500AndTheServerKeepsServing() throws Exception {
    source.rates = () -> {
      throw new IllegalStateException("boom");
    };
    assertThat(get("/api/sampling?service=x").statusCode()).isEqualTo(500);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
