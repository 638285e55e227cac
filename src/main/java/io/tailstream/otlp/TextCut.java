package io.tailstream.otlp;

/**
 * Cuts text that producers send (names, messages, values) to a number of chars, ending in the
 * marker {@code …} so that a reader sees it was cut. A surrogate pair is never split.
 */
public final class TextCut {
  public static final char MARKER = '\u2026';

  private TextCut() {}

  /** {@code s} itself when at most {@code maxChars} long (or null), else its prefix and the marker. */
  public static String cut(String s, int maxChars) {
    if (s == null || s.length() <= maxChars) {
      return s;
    }
    int end = maxChars - 1;
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(0, end) + MARKER;
  }
}
