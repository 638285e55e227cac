package io.tailstream.topology;

import io.tailstream.buffer.ByTraceRecord;

/**
 * What the split step emits: a trace fragment or a watermark for buffer-and-decide, or a value
 * for the dead-letter topic.
 */
record SplitOutput(ByTraceRecord byTrace, byte[] deadLetter) {
  static SplitOutput of(ByTraceRecord byTrace) {
    return new SplitOutput(byTrace, null);
  }

  static SplitOutput deadLetter(byte[] value) {
    return new SplitOutput(null, value);
  }

  boolean isDeadLetter() {
    return byTrace == null;
  }
}
