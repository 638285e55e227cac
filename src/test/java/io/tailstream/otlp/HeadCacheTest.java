package io.tailstream.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HeadCacheTest {
  private static Resource resource(String service) {
    return Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
        .setValue(AnyValue.newBuilder().setStringValue(service))).build();
  }

  /** {@code bytes} at {@code offset} of a larger array filled with {@code fill}. */
  private static byte[] at(byte[] bytes, int offset, int fill) {
    byte[] out = new byte[offset + bytes.length + 5];
    Arrays.fill(out, (byte) fill);
    System.arraycopy(bytes, 0, out, offset, bytes.length);
    return out;
  }

  @Test
  void theSameBytesAnywhereGiveTheOnceParsedMessage() throws Exception {
    HeadCache<Resource> cache = new HeadCache<>(Resource.parser(), 16);
    byte[] gateway = resource("gateway").toByteArray();
    Resource first = cache.get(at(gateway, 3, 0), 3, gateway.length);
    Resource again = cache.get(at(gateway, 11, 7), 11, gateway.length);
    assertThat(first).isEqualTo(resource("gateway"));
    assertThat(again).isSameAs(first);
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void bytesThatDifferAnywhereAreAnotherMessage() throws Exception {
    // A service name of 21 chars: the encoding is no multiple of 8, so the last bytes are the
    // hash's byte-wise tail; one differing char at each position in turn, tail included.
    String base = "ranker-feature-store-";
    HeadCache<Resource> cache = new HeadCache<>(Resource.parser(), 1024);
    byte[] original = resource(base).toByteArray();
    assertThat(cache.get(original, 0, original.length)).isEqualTo(resource(base));
    for (int i = 0; i < base.length(); i++) {
      String other = base.substring(0, i) + 'X' + base.substring(i + 1);
      byte[] bytes = at(resource(other).toByteArray(), 2, 0);
      assertThat(cache.get(bytes, 2, original.length)).as("char %d", i).isEqualTo(resource(other));
    }
    assertThat(cache.size()).isEqualTo(base.length() + 1);
  }

  @Test
  void aFullCacheStartsAgainInsteadOfGrowing() throws Exception {
    HeadCache<Resource> cache = new HeadCache<>(Resource.parser(), 4);
    for (int i = 0; i < 10; i++) {
      byte[] bytes = resource("service-" + i).toByteArray();
      assertThat(cache.get(bytes, 0, bytes.length)).isEqualTo(resource("service-" + i));
      assertThat(cache.size()).isLessThanOrEqualTo(4);
    }
  }

  @Test
  void rangesOfEqualBytesHashAlikeAndTheLengthCounts() {
    byte[] a = {9, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    byte[] b = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(HeadCache.hash(a, 1, 10)).isEqualTo(HeadCache.hash(b, 0, 10));
    assertThat(HeadCache.hash(b, 0, 0)).isNotEqualTo(HeadCache.hash(new byte[1], 0, 1));
  }
}
