package io.tailstream.topology;

import io.tailstream.buffer.Fragment;

/** What the split step emits per record: a trace fragment, or a value for the dead-letter topic. */
record SplitOutput(Fragment fragment, byte[] deadLetter) {
  static SplitOutput of(Fragment fragment) {
    return new SplitOutput(fragment, null);
  }

  static SplitOutput deadLetter(byte[] value) {
    return new SplitOutput(null, value);
  }

  boolean isDeadLetter() {
    return fragment == null;
  }
}
