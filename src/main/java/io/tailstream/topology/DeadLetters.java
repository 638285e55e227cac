package io.tailstream.topology;

import io.tailstream.otlp.TextCut;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Makes a dead letter fit its topic. A dead letter the broker refuses as too large would, under
 * exactly-once, fail the transaction and stop the instance on the same record after every
 * restart; so what goes to the dead-letter topic is cut to {@code maxBytes} (the topic's limit
 * less a margin, read at start): the reason headers stay whole (they are bounded here), the key
 * is cut to {@value #MAX_KEY_BYTES} bytes, the value to what room is left, and the header
 * {@value Headers#TRUNCATED_FROM} says how long the value was.
 */
final class DeadLetters {
  /** The longest reason header written: exception messages may quote what the producer sent. */
  static final int MAX_REASON_CHARS = 2048;
  static final int MAX_KEY_BYTES = 1024;
  /** Per-header and per-record overhead in a batch (varints, attributes, offsets): generous. */
  private static final int OVERHEAD = 64;

  private DeadLetters() {}

  /** A dead letter's parts, as they will be written. */
  record Letter(byte[] key, byte[] value, RecordHeaders headers) {}

  /** {@code reason}, cut to {@link #MAX_REASON_CHARS} with a marker. */
  static String reason(String reason) {
    return TextCut.cut(reason == null ? "(no message)" : reason, MAX_REASON_CHARS);
  }

  /** {@code key}, {@code value} and {@code headers} cut so that together they fit {@code maxBytes}. */
  static Letter fit(byte[] key, byte[] value, RecordHeaders headers, long maxBytes) {
    byte[] k = key == null || key.length <= MAX_KEY_BYTES ? key : Arrays.copyOf(key, MAX_KEY_BYTES);
    long used = OVERHEAD + (k == null ? 0 : k.length);
    for (Header h : headers) {
      used += OVERHEAD + h.key().length() + (h.value() == null ? 0 : h.value().length);
    }
    if (value == null) {
      return new Letter(k, null, headers);
    }
    long room = maxBytes - used - OVERHEAD - Headers.TRUNCATED_FROM.length() - 20;
    if (value.length + used <= maxBytes) {
      return new Letter(k, value, headers);
    }
    headers.add(Headers.TRUNCATED_FROM,
        Long.toString(value.length).getBytes(StandardCharsets.UTF_8));
    return new Letter(k, Arrays.copyOf(value, (int) Math.max(0, room)), headers);
  }
}
