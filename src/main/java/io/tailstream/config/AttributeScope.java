package io.tailstream.config;

import java.util.Locale;

/**
 * Which spans of a kept trace carry the decision's attributes ({@code output.decision-attributes}):
 * none, the trace's root span, or every span. See docs/wire-formats.md for the names.
 */
public enum AttributeScope {
  /** No attributes: kept spans go out as they were buffered (the default). */
  OFF("off"),
  /** The root span (no parent), or the earliest span when the trace has no root. */
  ROOT("root"),
  /** Every span decided with the trace (late spans excepted). */
  ALL("all");

  private final String configName;

  AttributeScope(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  public static AttributeScope parse(String name) {
    String normalized = name.trim().toLowerCase(Locale.ROOT);
    for (AttributeScope s : values()) {
      if (s.configName.equals(normalized)) {
        return s;
      }
    }
    throw new IllegalArgumentException("expected off, root or all");
  }

  @Override
  public String toString() {
    return configName;
  }
}
