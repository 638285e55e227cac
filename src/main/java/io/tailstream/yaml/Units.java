package io.tailstream.yaml;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsing of the human units used in config and rules: durations ({@code 500ms}, {@code 30s},
 * {@code 5m}, {@code 1h}), byte sizes ({@code 8MiB}, {@code 512KiB}, {@code 1000}) and rates
 * ({@code 1%}, {@code 0.5%}, {@code 0.01}). Each parser throws {@link IllegalArgumentException}
 * whose message says what is allowed, for null too; callers add the key and the location.
 */
public final class Units {
  public static final String DURATION_FORMS = "a duration such as 250ms, 30s, 5m or 1h";
  public static final String SIZE_FORMS = "a size such as 1048576, 512KiB, 8MiB or 1GiB";
  public static final String RATE_FORMS = "a rate such as 1%, 0.5% or 0.01 (between 0 and 100%)";

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|kib|mb|mib|gb|gib)?");
  private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(%?)");

  private Units() {}

  public static Duration duration(String text) {
    Matcher m = DURATION.matcher(present(text, DURATION_FORMS));
    if (!m.matches()) {
      throw new IllegalArgumentException("expected " + DURATION_FORMS);
    }
    double amount = Double.parseDouble(m.group(1));
    double millis = switch (m.group(2)) {
      case "ms" -> amount;
      case "s" -> amount * 1_000;
      case "m" -> amount * 60_000;
      default -> amount * 3_600_000;
    };
    return Duration.ofNanos(Math.round(millis * 1_000_000d));
  }

  public static long bytes(String text) {
    Matcher m = SIZE.matcher(present(text, SIZE_FORMS).toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("expected " + SIZE_FORMS);
    }
    double amount = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2);
    long factor = switch (unit) {
      case "kb" -> 1_000L;
      case "kib" -> 1L << 10;
      case "mb" -> 1_000_000L;
      case "mib" -> 1L << 20;
      case "gb" -> 1_000_000_000L;
      case "gib" -> 1L << 30;
      default -> 1L;
    };
    return Math.round(amount * factor);
  }

  /** A probability in [0, 1]. */
  public static double rate(String text) {
    Matcher m = RATE.matcher(present(text, RATE_FORMS));
    if (!m.matches()) {
      throw new IllegalArgumentException("expected " + RATE_FORMS);
    }
    double value = Double.parseDouble(m.group(1));
    double rate = m.group(2).isEmpty() ? value : value / 100d;
    if (rate > 1d) {
      throw new IllegalArgumentException("expected " + RATE_FORMS);
    }
    return rate;
  }

  /** The trimmed text; nothing (a JSON or YAML null) is refused like a wrong form. */
  private static String present(String text, String forms) {
    if (text == null) {
      throw new IllegalArgumentException("expected " + forms + ", got nothing");
    }
    return text.trim();
  }

  /** Formats a size the way users write them: 8MiB, 512KiB, or bytes when not a whole unit. */
  public static String formatBytes(long bytes) {
    String[] units = {"GiB", "MiB", "KiB"};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << (30 - 10 * i);
      if (bytes > 0 && bytes % unit == 0) {
        return bytes / unit + units[i];
      }
    }
    return Long.toString(bytes);
  }

  /** Formats a duration the way users write them, for logs and toString. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0 && ms > 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
