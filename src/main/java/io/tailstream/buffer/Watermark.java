package io.tailstream.buffer;

/**
 * A promise from the split task of input partition {@code source}: it has read every record
 * stamped before {@code timeMs} (input time, the records' own timestamps), so no fragment it
 * sends from now on is older. Split sends one to every buffer-and-decide partition each check
 * interval; an {@link InputClock} takes the smallest over all sources.
 */
public record Watermark(int source, long timeMs) implements ByTraceRecord {
  public Watermark {
    if (source < 0) {
      throw new IllegalArgumentException("source partition must be >= 0, got " + source);
    }
  }
}
