package io.tailstream.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The topics tailstream reads and writes, and whether it creates the missing ones at start.
 *
 * @param byTrace the by-trace topic tailstream owns (null-key input only): split writes each
 *     trace's fragments there, keyed by trace id, and buffer-and-decide reads it; it is the log
 *     a buffer is rebuilt from after a crash or a task move, so its retention matters
 * @param byTraceRetention the retention tailstream creates the by-trace topic with
 */
public record TopicSettings(String input, String output, String deadLetter, String control,
    String rates, boolean create, int partitions, short replicationFactor, String byTrace,
    Duration byTraceRetention) {
  public TopicSettings {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(deadLetter, "deadLetter");
    Objects.requireNonNull(control, "control");
    Objects.requireNonNull(rates, "rates");
    Objects.requireNonNull(byTrace, "byTrace");
    Objects.requireNonNull(byTraceRetention, "byTraceRetention");
  }

  /** The by-trace topic's default name: one per application id. */
  public static String defaultByTrace(String applicationId) {
    return applicationId + "-by-trace";
  }

  /**
   * The by-trace topic's default retention: four times what a trace may need (its wait and its
   * late spans' TTL), and at least an hour, so a restart or a task move well inside that finds
   * every buffered trace's spans still there.
   */
  public static Duration defaultByTraceRetention(DecisionSettings decision) {
    Duration needed = decision.maxWait().plus(decision.lateSpanTtl()).multipliedBy(4);
    return needed.compareTo(Duration.ofHours(1)) > 0 ? needed : Duration.ofHours(1);
  }
}
