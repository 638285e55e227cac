package io.tailstream.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Parsed Resource or Scope messages by their encoded bytes: collectors repeat the same few in
 * every request, so each distinct byte string is parsed once.
 *
 * <p>Looked up by the range of the request the bytes lie in, without copying them first: the key
 * of a look-up points into the request, and only a miss copies its bytes into the key it stores.
 * The hash reads eight bytes at a time; equality is a whole-range compare, so a hash collision
 * costs a compare, never a wrong message. (Keying by {@code ByteString} copied every head and
 * hashed it a byte at a time: 6% of a stream thread on keyed input in {@code tailstream bench}.)
 * Bounded: cleared when full. Not thread-safe (one per splitter).
 */
final class HeadCache<T> {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
      ByteOrder.LITTLE_ENDIAN);

  private final Parser<T> parser;
  private final int limit;
  private final Map<Key, T> parsed = new HashMap<>();

  HeadCache(Parser<T> parser, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be positive, got " + limit);
    }
    this.parser = parser;
    this.limit = limit;
  }

  /** The message encoded in {@code bytes[offset, offset + length)}, parsed once. */
  T get(byte[] bytes, int offset, int length) throws InvalidProtocolBufferException {
    Key probe = new Key(bytes, offset, length, hash(bytes, offset, length));
    T message = parsed.get(probe);
    if (message == null) {
      if (parsed.size() >= limit) {
        parsed.clear();
      }
      byte[] own = Arrays.copyOfRange(bytes, offset, offset + length);
      message = parser.parseFrom(own);
      parsed.put(new Key(own, 0, length, probe.hash), message);
    }
    return message;
  }

  int size() {
    return parsed.size();
  }

  /** A 64-bit mix of the range, eight bytes per step, folded to the int a HashMap uses. */
  static int hash(byte[] bytes, int offset, int length) {
    long h = length * 0x9E3779B97F4A7C15L;
    int i = offset;
    int end = offset + length;
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      h = (h ^ (long) LONGS.get(bytes, i)) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    for (; i < end; i++) {
      h = (h ^ (bytes[i] & 0xff)) * 0x94D049BB133111EBL;
    }
    h ^= h >>> 29;
    return (int) (h ^ (h >>> 32));
  }

  /** A byte range; equal to another of the same bytes wherever each lies. */
  private static final class Key {
    final byte[] bytes;
    final int offset;
    final int length;
    final int hash;

    Key(byte[] bytes, int offset, int length, int hash) {
      this.bytes = bytes;
      this.offset = offset;
      this.length = length;
      this.hash = hash;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.hash == hash && k.length == length
          && Arrays.equals(bytes, offset, offset + length, k.bytes, k.offset, k.offset + length);
    }
  }
}
