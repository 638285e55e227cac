package io.tailstream.otlp;

import com.google.protobuf.ByteString;
import java.util.HexFormat;

/** Trace and span id helpers: validity per the OTLP spec, and the lowercase hex form. */
public final class TraceIds {
  public static final int TRACE_ID_BYTES = 16;
  public static final int SPAN_ID_BYTES = 8;
  private static final HexFormat HEX = HexFormat.of();

  private TraceIds() {}

  /** A valid trace id has 16 bytes, not all zero (OTLP: an all-zero id is invalid). */
  public static boolean isValidTraceId(ByteString id) {
    if (id.size() != TRACE_ID_BYTES) {
      return false;
    }
    for (int i = 0; i < TRACE_ID_BYTES; i++) {
      if (id.byteAt(i) != 0) {
        return true;
      }
    }
    return false;
  }

  public static String hex(byte[] id) {
    return HEX.formatHex(id);
  }

  public static String hex(ByteString id) {
    return HEX.formatHex(id.toByteArray());
  }

  /** Parses lower- or uppercase hex; throws {@link IllegalArgumentException} on anything else. */
  public static byte[] fromHex(String hex) {
    if ((hex.length() & 1) != 0) {
      throw new IllegalArgumentException("odd number of hex digits in '" + hex + "'");
    }
    return HEX.parseHex(hex);
  }

  /**
   * The trace id's randomness as OpenTelemetry's probability sampling defines it when no explicit
   * {@code rv} is given: its low 56 bits (the last 7 bytes), big-endian.
   */
  public static long randomness(byte[] traceId) {
    long r = 0;
    for (int i = TRACE_ID_BYTES - 7; i < TRACE_ID_BYTES; i++) {
      r = (r << 8) | (traceId[i] & 0xFF);
    }
    return r;
  }
}
