package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.config.TopicSettings;
import java.net.ServerSocket;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TopicProvisionerTest {
  @Test
  void keepsRetryingWhileKafkaIsUnreachableUntilInterrupted() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Properties admin = new Properties();
    admin.put("bootstrap.servers", "localhost:" + port);
    admin.put("default.api.timeout.ms", "1000");
    admin.put("request.timeout.ms", "500");
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    Thread waiting = new Thread(() -> {
      try {
        TopicProvisioner.ensureTopics(admin, new TopicSettings("in", "out", "dlq", "ctl", "rates", true, 1, (short) 1,
            "by-trace", java.time.Duration.ofHours(1)));
        outcome.set(new AssertionError("returned without a broker"));
      } catch (Throwable t) {
        outcome.set(t);
      }
    });
    waiting.start();
    waiting.join(4_000);
    assertThat(waiting.isAlive()).as("still retrying, outcome so far: %s", outcome.get()).isTrue();
    waiting.interrupt();
    waiting.join(10_000);
    assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
  }
}
