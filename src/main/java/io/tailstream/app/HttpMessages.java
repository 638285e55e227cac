package io.tailstream.app;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The little of HTTP/1.1 the admin port speaks: finding the end of a request head, reading its
 * request line, and encoding a complete response with {@code Connection: close}. Header lines are
 * not parsed: no endpoint reads one, and every request gets one answer and a closed connection.
 */
final class HttpMessages {
  private HttpMessages() {}

  /** A request's method, its path and its raw (still %-encoded) query, or null without one. */
  record Request(String method, String path, String rawQuery) {}

  record Response(int status, String contentType, byte[] body) {
    static Response json(int status, String body) {
      return new Response(status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }
  }

  private static final Map<Integer, String> REASONS = Map.of(200, "OK", 400, "Bad Request",
      404, "Not Found", 405, "Method Not Allowed", 408, "Request Timeout",
      431, "Request Header Fields Too Large", 500, "Internal Server Error",
      503, "Service Unavailable");

  /** The index just past the blank line that ends the head (CRLF CRLF, or LF LF), or -1. */
  static int headEnd(ByteBuffer buffer) {
    byte[] b = buffer.array();
    for (int i = 1; i < buffer.position(); i++) {
      if (b[i] == '\n' && (b[i - 1] == '\n' || (i >= 2 && b[i - 1] == '\r' && b[i - 2] == '\n'))) {
        return i + 1;
      }
    }
    return -1;
  }

  /** The request line of the head's first {@code end} bytes, or null when it is malformed. */
  static Request parse(ByteBuffer buffer, int end) {
    String head = new String(buffer.array(), 0, end, StandardCharsets.ISO_8859_1);
    int eol = head.indexOf('\n');
    String line = head.substring(0, eol).strip();
    String[] parts = line.split(" ");
    if (parts.length != 3 || !parts[2].startsWith("HTTP/1.") || parts[0].isEmpty()
        || !parts[1].startsWith("/")) {
      return null;
    }
    String target = parts[1];
    int q = target.indexOf('?');
    return q < 0 ? new Request(parts[0], target, null)
        : new Request(parts[0], target.substring(0, q), target.substring(q + 1));
  }

  static ByteBuffer encode(Response r) {
    String head = "HTTP/1.1 " + r.status() + " " + REASONS.getOrDefault(r.status(), "Status")
        + "\r\nContent-Type: " + r.contentType() + "\r\nContent-Length: " + r.body().length
        + "\r\nConnection: close\r\n\r\n";
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    return ByteBuffer.allocate(h.length + r.body().length).put(h).put(r.body()).flip();
  }
}
