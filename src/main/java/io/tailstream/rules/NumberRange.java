package io.tailstream.rules;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A condition on a number: {@code "> 5"}, {@code ">= 5"}, {@code "< 5"}, {@code "<= 5"}, {@code "500..599"} or {@code "42"}. */
public record NumberRange(double min, boolean minInclusive, double max, boolean maxInclusive) {
  public static final String FORMS =
      "a number or a comparison such as \">= 500\", \"< 0.5\" or a range \"500..599\"";
  private static final Pattern COMPARISON = Pattern.compile("(>=|<=|>|<)?\\s*(-?\\d+(?:\\.\\d+)?)");
  private static final Pattern RANGE = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*\\.\\.\\s*(-?\\d+(?:\\.\\d+)?)");

  public static NumberRange parse(String text) {
    String t = text.trim();
    Matcher range = RANGE.matcher(t);
    if (range.matches()) {
      double min = Double.parseDouble(range.group(1));
      double max = Double.parseDouble(range.group(2));
      if (min > max) {
        throw new IllegalArgumentException("the range's start is after its end; expected " + FORMS);
      }
      return new NumberRange(min, true, max, true);
    }
    Matcher m = COMPARISON.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException("expected " + FORMS);
    }
    double v = Double.parseDouble(m.group(2));
    String op = m.group(1) == null ? "=" : m.group(1);
    return switch (op) {
      case ">" -> new NumberRange(v, false, Double.POSITIVE_INFINITY, true);
      case ">=" -> new NumberRange(v, true, Double.POSITIVE_INFINITY, true);
      case "<" -> new NumberRange(Double.NEGATIVE_INFINITY, true, v, false);
      case "<=" -> new NumberRange(Double.NEGATIVE_INFINITY, true, v, true);
      default -> new NumberRange(v, true, v, true);
    };
  }

  public String describe() {
    if (min == max) {
      return "= " + fmt(min);
    }
    if (max == Double.POSITIVE_INFINITY) {
      return (minInclusive ? ">= " : "> ") + fmt(min);
    }
    if (min == Double.NEGATIVE_INFINITY) {
      return (maxInclusive ? "<= " : "< ") + fmt(max);
    }
    return fmt(min) + ".." + fmt(max);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  public boolean contains(double value) {
    boolean aboveMin = minInclusive ? value >= min : value > min;
    boolean belowMax = maxInclusive ? value <= max : value < max;
    return aboveMin && belowMax;
  }
}
