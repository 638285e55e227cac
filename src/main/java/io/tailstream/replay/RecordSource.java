package io.tailstream.replay;

/** Record values to replay, in order: from a dump file or a topic. */
@FunctionalInterface
public interface RecordSource extends Iterable<byte[]> {}
