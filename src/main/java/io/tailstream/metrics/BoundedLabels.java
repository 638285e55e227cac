package io.tailstream.metrics;

import io.tailstream.otlp.TextCut;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The values of one label, bounded: the first {@code max} distinct values keep their own
 * (cut to {@value #MAX_CHARS} chars), every later one is {@value #OTHER}. Values come from
 * producers (service names, model names), and one misbehaving client must not create a series
 * per request. A value once admitted keeps its label for the life of the process; the bound may
 * be passed by at most one value per thread that races to admit.
 */
final class BoundedLabels {
  static final String OTHER = "other";
  static final int MAX_CHARS = 128;

  private final int max;
  private final Map<String, String> labels = new ConcurrentHashMap<>();

  BoundedLabels(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("at least one label value, not " + max);
    }
    this.max = max;
  }

  /** The label of {@code value}: its own (cut), or {@value #OTHER} once {@code max} are taken. */
  String of(String value) {
    String label = labels.get(value);
    if (label != null) {
      return label;
    }
    if (labels.size() >= max) {
      return OTHER;
    }
    return labels.computeIfAbsent(value, v -> TextCut.cut(v, MAX_CHARS));
  }

  /** Whether {@code value} has a label of its own. */
  boolean admitted(String value) {
    return labels.containsKey(value);
  }

  int size() {
    return labels.size();
  }
}
