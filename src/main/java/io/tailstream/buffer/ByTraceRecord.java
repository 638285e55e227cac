package io.tailstream.buffer;

/**
 * What flows from split to buffer-and-decide: the spans of one trace ({@link Fragment}), of
 * several traces bound for one partition ({@link FragmentBatch}), or a source partition's
 * progress in input time ({@link Watermark}), which is what lets the buffer's
 * {@link InputClock} advance.
 */
public sealed interface ByTraceRecord permits Fragment, FragmentBatch, Watermark {}
