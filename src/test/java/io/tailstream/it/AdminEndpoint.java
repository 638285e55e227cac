package io.tailstream.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The admin HTTP endpoint of a child {@code run} process whose config asks for a free port
 * ({@link KafkaTestSupport#writeConfig} with {@code adminPort}): the port is read from the line
 * the child logs when it opens it.
 */
record AdminEndpoint(int port) {
  private static final Pattern OPENED = Pattern.compile("admin HTTP on port (\\d+)");
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** Waits for the child to log its admin port; the last one logged wins (one log per child life). */
  static AdminEndpoint fromLog(Path log, Process child, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (!child.isAlive()) {
        throw new AssertionError("child exited with " + child.exitValue() + " before opening its admin port; log:\n"
            + KafkaTestSupport.tail(log, 80));
      }
      if (Files.exists(log)) {
        Matcher m = OPENED.matcher(Files.readString(log));
        Integer port = null;
        while (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
        if (port != null) {
          return new AdminEndpoint(port);
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no admin port logged within " + timeout + "; log:\n" + KafkaTestSupport.tail(log, 80));
  }

  /** True once the instance runs (Kafka Streams RUNNING: tasks assigned and restored). */
  boolean ready() {
    try {
      return get("/health/ready").statusCode() == 200;
    } catch (IOException e) {
      return false; // frozen or gone: not ready
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Waits until {@link #ready}; false when {@code timeout} passed first. */
  boolean awaitReady(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (ready()) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  PrometheusText metrics() throws IOException, InterruptedException {
    HttpResponse<String> r = get("/metrics");
    if (r.statusCode() != 200) {
      throw new IOException("GET /metrics on port " + port + ": HTTP " + r.statusCode());
    }
    return PrometheusText.parse(r.body());
  }

  /** Spans that arrived after their trace was decided (kept and dropped), since this child started. */
  long lateSpans() throws IOException, InterruptedException {
    return (long) metrics().sum("tailstream_late_spans_total");
  }

  /**
   * What says why a trace was decided before all its spans came, for failure messages: records
   * that reached a task behind its input clock by a second or more (delivered later than the
   * delivery slack allows), held spans, and the input clock's lag.
   */
  String inputTiming() {
    try {
      PrometheusText m = metrics();
      return String.format("records behind the input clock %.0f, ahead of the wall clock %.0f, held spans %.0f,"
              + " input clock behind %.1f s", m.sum("tailstream_input_time_adjusted_total", "direction=\"past\""),
          m.sum("tailstream_input_time_adjusted_total", "direction=\"future\""), m.sum("tailstream_held_spans_total"),
          m.sum("tailstream_input_clock_behind_seconds"));
    } catch (IOException | InterruptedException e) {
      return "(metrics unavailable: " + e + ")";
    }
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
