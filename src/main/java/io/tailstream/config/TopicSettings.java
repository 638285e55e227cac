package io.tailstream.config;

import java.util.Objects;

/** The topics tailstream reads and writes, and whether it creates the missing ones at start. */
public record TopicSettings(String input, String output, String deadLetter, String control,
    String rates, boolean create, int partitions, short replicationFactor) {
  public TopicSettings {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(deadLetter, "deadLetter");
    Objects.requireNonNull(control, "control");
    Objects.requireNonNull(rates, "rates");
  }
}
