package io.tailstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's first command must work: a short demo keeps every interesting trace whole. */
class DemoTest {
  @Test
  void shortDemoKeepsEveryIncidentTraceWhole() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Demo demo = new Demo(Duration.ofSeconds(8), 200, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    double recall = demo.run();
    String report = bytes.toString(StandardCharsets.UTF_8);
    assertThat(recall).as(report).isEqualTo(1.0);
    assertThat(report).contains("incident recall:   100.0%").contains("kept per rule:")
        .containsPattern("storage reduction \\d+\\.\\dx");
  }
}
