package io.tailstream.topology;

/** Names of tailstream's state stores (their changelog topics are named after them). */
public final class StoreNames {
  /**
   * Window store with duplicates, not changelogged (a cache of the log): trace id and epoch →
   * encoded fragments, timestamped by input time.
   */
  public static final String TRACE_SPANS = "trace-spans";
  /** Key-value, not changelogged: trace id → summary of a trace still buffered. */
  public static final String TRACE_STATE = "trace-state";
  /** Key-value, changelogged: the task's {@code BufferPosition}, one record. */
  public static final String BUFFER_POSITION = "buffer-position";
  /** Key-value, not changelogged: the clean mark a task leaves when it closes cleanly. */
  public static final String BUFFER_LOCAL = "buffer-local";
  /** Window store: trace id → decision of a kept trace, kept for late-span-ttl. */
  public static final String DECISIONS = "decisions";
  /**
   * Window store with duplicates: the ids of traces dropped in one punctuation, concatenated
   * (one record per batch instead of one per trace), kept for late-span-ttl.
   */
  public static final String DROPPED = "dropped-traces";
  /** Global store of the control topic: boost id → message (no changelog: the topic is its log). */
  public static final String CONTROL = "sampling-control";

  private StoreNames() {}
}
