package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

  @Test
  void tenSlowClientsDoNotHoldUpTheLivenessProbe() throws Exception {
    List<SlowClient> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        slow.add(SlowClient.open(server.port()));
      }
      SlowClient.awaitAllSending(slow);
      // The kubelet's default probe timeout is 1 s; 3 s leaves room for 2 busy cores. Before the
      // fix the three admin threads were all reading slow headers and the probe never answered.
      for (int probe = 0; probe < 5; probe++) {
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(uri("/health/live"))
            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
      }
    } finally {
      slow.forEach(SlowClient::close);
    }
  }

  @Test
  void aRequestHeadThatNeverEndsIsAnsweredWith408AndClosed() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(15_000); // well past the 5 s the head may take
      socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      String response = readAll(socket);
      assertThat(response).startsWith("HTTP/1.1 408 Request Timeout");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(12));
    }
    assertThat(source.refusals(HttpPort.Refusal.HEAD_TIMEOUT)).isEqualTo(1);
  }

  @Test
  void aRequestHeadLargerThanTheLimitIsAnswered431AndClosed() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      String head = "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(16 * 1024)
          + "\r\n\r\n";
      try {
        socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        // the server may close before the whole head is written; its answer is still readable
      }
      assertThat(readAll(socket)).startsWith("HTTP/1.1 431 Request Header Fields Too Large");
    }
    assertThat(source.refusals(HttpPort.Refusal.HEAD_TOO_LARGE)).isEqualTo(1);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
  }

  @Test
  void moreSlowClientsThanConnectionSlotsEvictTheOldestAndProbesStillAnswer() throws Exception {
    HttpPort.Limits limits = new HttpPort.Limits(8 * 1024, Duration.ofSeconds(30),
        Duration.ofSeconds(10), 8, 3);
    List<SlowClient> slow = new ArrayList<>();
    try (AdminServer small = new AdminServer("127.0.0.1", 0, source, limits)) {
      for (int i = 0; i < 20; i++) {
        slow.add(SlowClient.open(small.port()));
      }
      SlowClient.awaitAllSending(slow);
      for (int probe = 0; probe < 5; probe++) {
        HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
            + small.port() + "/health/live")).timeout(Duration.ofSeconds(3)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
      }
      // 20 slow clients in 8 slots: each arrival beyond the 8th evicted the oldest.
      assertThat(source.refusals(HttpPort.Refusal.EVICTED)).isGreaterThanOrEqualTo(12);
    } finally {
      slow.forEach(SlowClient::close);
    }
  }

  @Test
  void aClientThatDoesNotReadItsResponseIsClosedAtTheResponseTimeout() throws Exception {
    source.scrape = "x".repeat(32 << 20); // far more than the socket buffers hold
    HttpPort.Limits limits = new HttpPort.Limits(8 * 1024, Duration.ofSeconds(5),
        Duration.ofMillis(500), 64, 3);
    try (AdminServer small = new AdminServer("127.0.0.1", 0, source, limits);
        Socket socket = new Socket("127.0.0.1", small.port())) {
      socket.setReceiveBufferSize(4096);
      socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (source.refusals(HttpPort.Refusal.RESPONSE_TIMEOUT) == 0) {
        assertThat(System.nanoTime()).as("closed within 20 s").isLessThan(end);
        Thread.sleep(50);
      }
      HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + small.port() + "/health/live")).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(live.statusCode()).isEqualTo(200);
      // Reset, not closed gracefully: what the kernel still held is not sent on.
      socket.setSoTimeout(10_000);
      assertThatThrownBy(() -> socket.getInputStream().readAllBytes())
          .isInstanceOf(SocketException.class).hasMessageContaining("reset");
    }
  }

  @Test
  void aMalformedRequestLineIsABadRequest() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("HELLO\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(readAll(socket)).startsWith("HTTP/1.1 400 Bad Request");
    }
    assertThat(source.refusals(HttpPort.Refusal.MALFORMED)).isEqualTo(1);
  }

  private static String readAll(Socket socket) throws IOException {
    return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
  }

  /** A client that sends its request head one byte every 100 ms and never finishes it. */
  static final class SlowClient implements AutoCloseable {
    private final Socket socket;
    private final Thread thread;
    private final CountDownLatch sending = new CountDownLatch(1);
    private volatile boolean closed;

    private SlowClient(Socket socket) {
      this.socket = socket;
      this.thread = new Thread(this::trickle, "slow-client");
      thread.setDaemon(true);
    }

    static SlowClient open(int port) throws IOException {
      SlowClient c = new SlowClient(new Socket("127.0.0.1", port));
      c.thread.start();
      return c;
    }

    static void awaitAllSending(List<SlowClient> clients) throws InterruptedException {
      for (SlowClient c : clients) {
        assertThat(c.sending.await(5, TimeUnit.SECONDS)).isTrue();
      }
      Thread.sleep(300); // every client's first bytes have reached the server
    }

    private void trickle() {
      try {
        OutputStream out = socket.getOutputStream();
        out.write("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        sending.countDown();
        while (!closed) {
          out.write('z');
          out.flush();
          Thread.sleep(100);
        }
      } catch (IOException e) {
        // closed by the server when its head timeout passes, or by the test
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        sending.countDown();
      }
    }

    @Override
    public void close() {
      closed = true;
      try {
        socket.close();
      } catch (IOException e) {
        // closing a test socket
      }
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
