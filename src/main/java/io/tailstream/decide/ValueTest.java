package io.tailstream.decide;

import com.google.re2j.Pattern;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.tailstream.rules.ValueMatch;
import java.util.Set;

/**
 * A compiled {@link ValueMatch}: a test on one attribute value ({@code null} when the key is
 * absent). Regexes are compiled once, with RE2 (linear time on any input). String tests compare
 * the value's text form, so {@code equals: "500"} also matches the integer 500.
 */
@FunctionalInterface
interface ValueTest {
  boolean test(AnyValue value);

  static ValueTest of(ValueMatch match) {
    if (match instanceof ValueMatch.Equals e) {
      String expected = e.value();
      return v -> v != null && expected.equals(text(v));
    }
    if (match instanceof ValueMatch.In in) {
      Set<String> values = in.values();
      return v -> v != null && values.contains(text(v));
    }
    if (match instanceof ValueMatch.Prefix p) {
      String prefix = p.prefix();
      return v -> v != null && text(v).startsWith(prefix);
    }
    if (match instanceof ValueMatch.Regex r) {
      Pattern pattern = Pattern.compile(r.pattern());
      return v -> v != null && pattern.matches(text(v));
    }
    if (match instanceof ValueMatch.Number n) {
      return v -> v != null && (v.hasIntValue() ? n.range().contains(v.getIntValue())
          : v.hasDoubleValue() && n.range().contains(v.getDoubleValue()));
    }
    if (match instanceof ValueMatch.Bool b) {
      boolean expected = b.value();
      return v -> v != null && v.hasBoolValue() && v.getBoolValue() == expected;
    }
    boolean expected = ((ValueMatch.Exists) match).expected();
    return v -> (v != null) == expected;
  }

  private static String text(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      default -> "";
    };
  }
}
