package io.tailstream.buffer;

/**
 * What a task's changelog keeps of its buffer, instead of the spans: the offset a rebuild
 * re-reads the log from, and the epoch of the local span store's keys. A rebuild starts a new
 * epoch, so that spans a crashed run left in a store that was not wiped are never read back.
 *
 * @param reReadFrom first offset to re-read; with nothing buffered, the next offset to read
 */
public record BufferPosition(long reReadFrom, int epoch) {
  public BufferPosition {
    if (reReadFrom < 0) {
      throw new IllegalArgumentException("re-read offset must be >= 0, got " + reReadFrom);
    }
  }
}
