package io.tailstream.buffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Hashes of trace ids for the in-memory indexes ({@link DueIndex}, {@link DecidedIndex}), in one
 * place so that both mix all 16 bytes the same way.
 *
 * <p>{@link #mix} is MurmurHash3's 64-bit finalizer (fmix64): a bijection on longs in which each
 * input bit flips each output bit with probability close to one half. {@link #fingerprint}
 * mixes the high half into the low half and mixes the result. For a fixed high half it is
 * therefore a bijection of the low half: ids that share their first 8 bytes never share a
 * fingerprint. That covers the structured ids seen in practice: 64-bit ids padded with zeros
 * (converted from Jaeger, Zipkin B3 or Datadog; {@code mix(0) == 0}, so theirs is
 * {@code mix(low)}) and ids that count up in their low bytes. Any other two ids share one with
 * odds of about 2^-64. Only the all-zero id, which OTLP calls invalid, has fingerprint 0.
 *
 * <p>Fingerprints live in memory only: the stores hold the ids themselves, so this function can
 * change between versions without any stored byte changing.
 */
final class TraceIdHash {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private TraceIdHash() {}

  static long mix(long x) {
    x = (x ^ (x >>> 33)) * 0xff51afd7ed558ccdL;
    x = (x ^ (x >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return x ^ (x >>> 33);
  }

  /** The first 8 bytes of a 16-byte id, big-endian. */
  static long high(byte[] id) {
    return (long) LONGS.get(id, 0);
  }

  /** The last 8 bytes of a 16-byte id, big-endian. */
  static long low(byte[] id) {
    return (long) LONGS.get(id, 8);
  }

  static long fingerprint(long high, long low) {
    return mix(low ^ mix(high));
  }

  /**
   * The fingerprint of a 16-byte id; ids of other lengths (not trace ids: the split refuses them)
   * are folded 8 bytes at a time so that an index never throws on one.
   */
  static long fingerprint(byte[] id) {
    if (id.length == 16) {
      return fingerprint(high(id), low(id));
    }
    long h = mix(id.length);
    for (int i = 0; i < id.length; i += 8) {
      long chunk = 0;
      for (int j = i; j < Math.min(i + 8, id.length); j++) {
        chunk = (chunk << 8) | (id[j] & 0xFF);
      }
      h = mix(h ^ chunk);
    }
    return h;
  }
}
