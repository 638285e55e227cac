package io.tailstream.otlp;

import java.util.ArrayList;
import java.util.List;

/**
 * The OpenTelemetry entry ({@code ot=...}) of a W3C tracestate, as far as probability sampling
 * uses it: the explicit randomness {@code rv} and the rejection threshold {@code th}, both 56-bit
 * values written in hex.
 *
 * @see <a href="https://opentelemetry.io/docs/specs/otel/trace/tracestate-probability-sampling/">
 *     TraceState: Probability Sampling</a>
 */
public final class OtelTraceState {
  /** 2^56: thresholds and randomness values are 56-bit. */
  public static final long MAX_THRESHOLD = 1L << 56;
  public static final long ABSENT = -1;

  private OtelTraceState() {}

  /** The {@code rv} value, or {@link #ABSENT} when missing or malformed. */
  public static long randomness(String traceState) {
    String rv = subKey(traceState, "rv");
    if (rv == null || rv.length() != 14) {
      return ABSENT;
    }
    return parseHex56(rv);
  }

  /** The {@code th} threshold, or {@link #ABSENT} when missing or malformed. */
  public static long threshold(String traceState) {
    String th = subKey(traceState, "th");
    if (th == null || th.isEmpty() || th.length() > 14) {
      return ABSENT;
    }
    // th drops trailing zeros: "c" means 0xc0000000000000.
    StringBuilder padded = new StringBuilder(th);
    while (padded.length() < 14) {
      padded.append('0');
    }
    return parseHex56(padded.toString());
  }

  /** The threshold in its tracestate form: 14 hex digits with trailing zeros removed. */
  public static String encodeThreshold(long threshold) {
    if (threshold <= 0) {
      return "0";
    }
    String hex = String.format("%014x", threshold);
    int end = hex.length();
    while (end > 1 && hex.charAt(end - 1) == '0') {
      end--;
    }
    return hex.substring(0, end);
  }

  /**
   * The threshold rounded to {@code digits} hex digits (1..14), as samplers that limit the
   * precision of {@code th} write it; e.g. 1% is {@code fd70a4} at 6 digits.
   */
  public static String encodeThreshold(long threshold, int digits) {
    if (digits < 1 || digits > 14) {
      throw new IllegalArgumentException("digits must be 1..14, got " + digits);
    }
    int dropBits = 4 * (14 - digits);
    long rounded = dropBits == 0 ? threshold
        : ((threshold + (1L << (dropBits - 1))) >>> dropBits) << dropBits;
    return encodeThreshold(Math.min(rounded, MAX_THRESHOLD - 1));
  }

  /**
   * Returns the tracestate with {@code th} set in the {@code ot} entry (other sub-keys and other
   * vendors' entries kept). The modified entry moves to the front, as W3C asks of updated entries.
   */
  public static String withThreshold(String traceState, long threshold) {
    String th = "th:" + encodeThreshold(threshold);
    List<String> others = new ArrayList<>();
    String otValue = null;
    for (String entry : split(traceState, ',')) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (trimmed.startsWith("ot=")) {
        otValue = trimmed.substring(3);
      } else {
        others.add(trimmed);
      }
    }
    StringBuilder ot = new StringBuilder("ot=").append(th);
    if (otValue != null) {
      for (String sub : split(otValue, ';')) {
        if (!sub.isEmpty() && !sub.startsWith("th:")) {
          ot.append(';').append(sub);
        }
      }
    }
    StringBuilder out = new StringBuilder(ot);
    for (String other : others) {
      out.append(',').append(other);
    }
    return out.toString();
  }

  /**
   * Returns the tracestate without {@code th} in the {@code ot} entry, for a sampling stage whose
   * keep probability is unknown. The entry, if any sub-key remains, moves to the front as an
   * updated entry; an entry left empty is removed (W3C entries must have a value). A tracestate
   * without {@code th} comes back unchanged.
   */
  public static String withoutThreshold(String traceState) {
    if (subKey(traceState, "th") == null) {
      return traceState;
    }
    List<String> others = new ArrayList<>();
    StringBuilder ot = new StringBuilder();
    for (String entry : split(traceState, ',')) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (!trimmed.startsWith("ot=")) {
        others.add(trimmed);
        continue;
      }
      for (String sub : split(trimmed.substring(3), ';')) {
        if (!sub.isEmpty() && !sub.startsWith("th:")) {
          ot.append(ot.length() == 0 ? "ot=" : ";").append(sub);
        }
      }
    }
    StringBuilder out = new StringBuilder(ot);
    for (String other : others) {
      out.append(out.length() == 0 ? "" : ",").append(other);
    }
    return out.toString();
  }

  /**
   * The value of list member {@code key} of a W3C tracestate ({@code k1=v1,k2=v2}, blanks around
   * members allowed), or null. Scans in place: only a found value is a new string, since rule
   * conditions call this for every span.
   */
  public static String entry(String traceState, String key) {
    int n = traceState.length();
    int k = key.length();
    int i = 0;
    while (i < n) {
      while (i < n && isBlank(traceState.charAt(i))) {
        i++;
      }
      int end = traceState.indexOf(',', i);
      if (end < 0) {
        end = n;
      }
      if (end - i > k && traceState.charAt(i + k) == '=' && traceState.regionMatches(i, key, 0, k)) {
        int valueEnd = end;
        while (valueEnd > i + k + 1 && isBlank(traceState.charAt(valueEnd - 1))) {
          valueEnd--;
        }
        return traceState.substring(i + k + 1, valueEnd);
      }
      i = end + 1;
    }
    return null;
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  private static String subKey(String traceState, String key) {
    if (traceState == null || traceState.isEmpty()) {
      return null;
    }
    String ot = entry(traceState, "ot");
    if (ot != null) {
      for (String sub : split(ot, ';')) {
        if (sub.startsWith(key + ":")) {
          return sub.substring(key.length() + 1);
        }
      }
    }
    return null;
  }

  private static long parseHex56(String hex) {
    long value = 0;
    for (int i = 0; i < hex.length(); i++) {
      int digit = Character.digit(hex.charAt(i), 16);
      if (digit < 0) {
        return ABSENT;
      }
      value = (value << 4) | digit;
    }
    return value;
  }

  private static List<String> split(String s, char separator) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= s.length(); i++) {
      if (i == s.length() || s.charAt(i) == separator) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    return parts;
  }
}
