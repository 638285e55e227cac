package io.tailstream.rules;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.tailstream.yaml.Units;

/**
 * A condition on a duration, in nanoseconds: {@code "> 2s"}, {@code ">= 500ms"}, {@code "< 1s"},
 * {@code "<= 1s"} or the inclusive range {@code "500ms..2s"}.
 */
public record DurationRange(long minNanos, boolean minInclusive, long maxNanos, boolean maxInclusive) {
  public static final String FORMS =
      "a comparison such as \"> 2s\", \">= 500ms\", \"< 1s\" or a range \"500ms..2s\"";
  private static final Pattern COMPARISON = Pattern.compile("(>=|<=|>|<)\\s*(\\S.*)");

  public static DurationRange parse(String text) {
    String t = text.trim();
    int dots = t.indexOf("..");
    try {
      if (dots >= 0) {
        long min = nanos(t.substring(0, dots));
        long max = nanos(t.substring(dots + 2));
        if (min > max) {
          throw new IllegalArgumentException("the range's start is after its end; expected " + FORMS);
        }
        return new DurationRange(min, true, max, true);
      }
      Matcher m = COMPARISON.matcher(t);
      if (!m.matches()) {
        throw new IllegalArgumentException("expected " + FORMS);
      }
      long value = nanos(m.group(2));
      return switch (m.group(1)) {
        case ">" -> new DurationRange(value, false, Long.MAX_VALUE, true);
        case ">=" -> new DurationRange(value, true, Long.MAX_VALUE, true);
        case "<" -> new DurationRange(0, true, value, false);
        default -> new DurationRange(0, true, value, true);
      };
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().contains(FORMS)) {
        throw e;
      }
      throw new IllegalArgumentException("expected " + FORMS);
    }
  }

  private static long nanos(String text) {
    return Units.duration(text).toNanos();
  }

  public boolean contains(long nanos) {
    boolean aboveMin = minInclusive ? nanos >= minNanos : nanos > minNanos;
    boolean belowMax = maxInclusive ? nanos <= maxNanos : nanos < maxNanos;
    return aboveMin && belowMax;
  }

  @Override
  public String toString() {
    String min = Units.format(Duration.ofNanos(minNanos));
    if (maxNanos == Long.MAX_VALUE) {
      return (minInclusive ? ">= " : "> ") + min;
    }
    String max = Units.format(Duration.ofNanos(maxNanos));
    if (minNanos == 0 && minInclusive) {
      return (maxInclusive ? "<= " : "< ") + max;
    }
    return min + ".." + max;
  }
}
