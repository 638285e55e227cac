package io.tailstream.topology;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Names of the record headers tailstream writes: a public contract, see docs/wire-formats.md. */
public final class Headers {
  /** On kept traces: the rule that kept them. */
  public static final String RULE = "tailstream.rule";
  /** On kept traces: the version (short hash) of the rules file that decided. */
  public static final String RULES_VERSION = "tailstream.rules-version";
  /** On kept traces: milliseconds from the trace's first span arriving to its decision. */
  public static final String DECISION_DELAY_MS = "tailstream.decision-delay-ms";
  /** On traces decided at once under stress relief: "true". */
  public static final String STRESSED = "tailstream.stressed";
  /** On spans that arrived after their trace was kept: "true". */
  public static final String LATE = "tailstream.late";
  /** On dead letters: why the record (or part of it) could not be used. */
  public static final String ERROR = "tailstream.error";
  /** On dead letters: where it came from, "topic/partition/offset". */
  public static final String SOURCE = "tailstream.source";
  /** On dead letters of a processing error: the exception's class. */
  public static final String EXCEPTION = "tailstream.exception";
  /** On dead letters cut to fit the dead-letter topic: the value's size before, in bytes. */
  public static final String TRUNCATED_FROM = "tailstream.truncated-from-bytes";

  /**
   * Every header a kept trace's records may carry, for consumers to extract (the downstream
   * collector's {@code header_extraction}); the others are on dead letters only.
   */
  public static final List<String> ON_KEPT_TRACES = List.of(RULE, RULES_VERSION, DECISION_DELAY_MS,
      LATE, STRESSED);

  private Headers() {}

  static byte[] utf8(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
