package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpMessagesTest {
  private static ByteBuffer received(String bytes) {
    return ByteBuffer.allocate(256).put(bytes.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void theHeadEndsAtTheFirstBlankLineWithCrLfOrBareLf() {
    String crlf = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    assertThat(HttpMessages.headEnd(received(crlf + "extra"))).isEqualTo(crlf.length());
    String lf = "GET / HTTP/1.1\nHost: x\n\n";
    assertThat(HttpMessages.headEnd(received(lf))).isEqualTo(lf.length());
    assertThat(HttpMessages.headEnd(received("GET / HTTP/1.1\r\nHost: x\r\n"))).isEqualTo(-1);
    assertThat(HttpMessages.headEnd(received("GET / HTTP/1.1\r\nHost: x\r\n\r"))).isEqualTo(-1);
  }

  @Test
  void theRequestLineGivesMethodPathAndRawQuery() {
    ByteBuffer head = received("GET /api/sampling?service=a%20b&x=1 HTTP/1.1\r\n\r\n");
    assertThat(HttpMessages.parse(head, HttpMessages.headEnd(head)))
        .isEqualTo(new HttpMessages.Request("GET", "/api/sampling", "service=a%20b&x=1"));
    ByteBuffer noQuery = received("POST /health/live HTTP/1.0\r\n\r\n");
    assertThat(HttpMessages.parse(noQuery, HttpMessages.headEnd(noQuery)))
        .isEqualTo(new HttpMessages.Request("POST", "/health/live", null));
  }

  @Test
  void aRequestLineThatIsNotMethodTargetVersionIsMalformed() {
    for (String line : new String[] {"HELLO", "GET /", "GET  / HTTP/1.1", "GET * HTTP/1.1",
        "GET / HTTP/2.0", "GET http://host/ HTTP/1.1"}) {
      ByteBuffer head = received(line + "\r\n\r\n");
      assertThat(HttpMessages.parse(head, HttpMessages.headEnd(head))).as(line).isNull();
    }
  }

  @Test
  void aResponseIsCompleteAndClosesTheConnection() {
    ByteBuffer encoded = HttpMessages.encode(HttpMessages.Response.json(503, "{}"));
    assertThat(StandardCharsets.ISO_8859_1.decode(encoded).toString()).isEqualTo(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            + "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
  }
}
