package io.tailstream.rules;

import java.util.Set;

/** A test on one attribute (or tracestate) value, as written in the rules. */
public sealed interface ValueMatch {
  /** {@code equals: "vip"} — string value equal. */
  record Equals(String value) implements ValueMatch {}

  /** {@code in: [a, b]} — string value one of. */
  record In(Set<String> values) implements ValueMatch {
    public In {
      values = Set.copyOf(values);
    }
  }

  /** {@code prefix: "/v1/"} — string value starts with. */
  record Prefix(String prefix) implements ValueMatch {}

  /** {@code regex: "..."} — RE2 syntax, matched against the whole value (linear time). */
  record Regex(String pattern) implements ValueMatch {}

  /** {@code number: ">= 500"} — int or double value in range. */
  record Number(NumberRange range) implements ValueMatch {}

  /** {@code bool: true} — boolean value. */
  record Bool(boolean value) implements ValueMatch {}

  /** {@code exists: true} — the key is present (with any value), or absent. */
  record Exists(boolean expected) implements ValueMatch {}
}
