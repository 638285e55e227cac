package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.build.PackRocksDbNatives;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.util.Environment;

class RocksDbNativeTest {
  @TempDir
  Path tmp;

  @Test
  void whereRocksDbShipsItsLibraryItIsLeftToRocksDb() {
    String library = Environment.getJniLibraryFileName("rocksdb");

    RocksDbNative.Loaded loaded = RocksDbNative.load(getClass().getClassLoader(), library, tmp);

    assertThat(loaded.unpacked()).isFalse();
    assertThat(loaded.describe()).isEqualTo(library + " (as RocksDB ships it)");
    assertThat(tmp).isEmptyDirectory();
  }

  @Test
  void aPackedLibraryUnpacksByteForByteUnderTheNameRocksDbLoadsFromAPath() throws IOException {
    byte[] library = new byte[300_000];
    new Random(7).nextBytes(library);
    for (int i = 0; i < library.length; i += 7) {
      library[i] = 0x48; // some structure, as machine code has
    }
    ByteArrayOutputStream packed = new ByteArrayOutputStream();
    PackRocksDbNatives.pack(new java.io.ByteArrayInputStream(library), packed, "librocksdbjni-linux-aarch64.so");
    ClassLoader jar = resources(Map.of(RocksDbNative.PACKED_DIR + "librocksdbjni-test.so.xz", packed.toByteArray()));

    Path dir = RocksDbNative.unpack(jar, "librocksdbjni-test.so", tmp);

    assertThat(dir.getParent()).isEqualTo(tmp);
    assertThat(dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"))).hasBinaryContent(library);
  }

  @Test
  void aDamagedPackedLibraryIsRefusedNotLoaded() throws IOException {
    ByteArrayOutputStream packed = new ByteArrayOutputStream();
    PackRocksDbNatives.pack(new java.io.ByteArrayInputStream(new byte[100_000]), packed, "librocksdbjni-linux64.so");
    byte[] damaged = packed.toByteArray();
    damaged[damaged.length / 2] ^= 0x5a;
    ClassLoader jar = resources(Map.of(RocksDbNative.PACKED_DIR + "librocksdbjni-test.so.xz", damaged));

    assertThatThrownBy(() -> RocksDbNative.unpack(jar, "librocksdbjni-test.so", tmp))
        .hasMessageContaining("cannot unpack RocksDB's native library librocksdbjni-test.so");
  }

  @Test
  void aPlatformTheJarDoesNotCarryIsNamedWithThePlatformsItDoes() {
    ClassLoader jar = resources(Map.of(RocksDbNative.INDEX,
        "librocksdbjni-linux64.so\nlibrocksdbjni-osx-arm64.jnilib\n".getBytes(StandardCharsets.UTF_8)));

    assertThatThrownBy(() -> RocksDbNative.load(jar, "librocksdbjni-linux-s390x.so", tmp))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs librocksdbjni-linux-s390x.so")
        .hasMessageContaining("carries librocksdbjni-linux64.so, librocksdbjni-osx-arm64.jnilib");
  }

  /** A class loader that finds only {@code resources}, as a jar holding just them would. */
  private static ClassLoader resources(Map<String, byte[]> resources) {
    return new ClassLoader(null) {
      @Override
      public URL getResource(String name) {
        return null;
      }

      @Override
      public InputStream getResourceAsStream(String name) {
        byte[] bytes = resources.get(name);
        return bytes == null ? null : new java.io.ByteArrayInputStream(bytes);
      }
    };
  }
}
