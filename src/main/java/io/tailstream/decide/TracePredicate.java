package io.tailstream.decide;

/** A compiled condition on a trace's facts; {@code nowMs} is for learned thresholds. */
@FunctionalInterface
interface TracePredicate {
  boolean test(TraceFacts facts, long nowMs);
}
