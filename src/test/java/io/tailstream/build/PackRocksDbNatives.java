package io.tailstream.build;

import io.tailstream.app.RocksDbNative;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.tukaani.xz.ARM64Options;
import org.tukaani.xz.FilterOptions;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.X86Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Build step (exec-maven-plugin, {@code prepare-package}): xz-compresses RocksDB's JNI libraries
 * for the runtime jar, which {@link RocksDbNative} unpacks at start.
 *
 * <p>Arguments: the output directory, then the library names to pack (the pom lists the
 * platforms, beside the shade filters). Each is read from rocksdbjni on the class path and
 * written as {@code OUT/io/tailstream/natives/NAME.xz}, with {@code INDEX} listing them. A
 * branch filter for the library's instruction set (x86 or ARM64) before LZMA2 makes machine
 * code compress about 8 % better. Packing is skipped when the output is newer than rocksdbjni's
 * jar, so only a clean build pays its ~1 minute.
 */
public final class PackRocksDbNatives {
  private static final int PRESET = 7;

  private PackRocksDbNatives() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: PackRocksDbNatives OUT_DIR LIBRARY...");
    }
    Path dir = Path.of(args[0]).resolve(RocksDbNative.PACKED_DIR);
    List<String> libraries = Arrays.asList(args).subList(1, args.length);
    Files.createDirectories(dir);
    Path index = dir.resolve("INDEX");
    String listed = String.join("\n", libraries) + "\n";
    if (upToDate(index, listed)) {
      System.out.println("RocksDB natives already packed in " + dir);
      return;
    }
    libraries.parallelStream().forEach(library -> pack(library, dir.resolve(library + ".xz")));
    Files.writeString(index, listed, StandardCharsets.UTF_8);
  }

  /** Compresses one native library with the branch filter its name says it needs. */
  public static void pack(InputStream library, OutputStream out, String name) throws IOException {
    FilterOptions[] filters = {branchFilter(name), new LZMA2Options(PRESET)};
    try (XZOutputStream xz = new XZOutputStream(out, filters)) {
      library.transferTo(xz);
    }
  }

  static FilterOptions branchFilter(String name) {
    return name.contains("aarch64") || name.contains("arm64") ? new ARM64Options() : new X86Options();
  }

  private static void pack(String library, Path target) {
    long start = System.nanoTime();
    try (InputStream in = PackRocksDbNatives.class.getClassLoader().getResourceAsStream(library)) {
      if (in == null) {
        throw new IllegalStateException("rocksdbjni on the class path has no " + library);
      }
      try (OutputStream out = Files.newOutputStream(target)) {
        pack(in, out, library);
      }
      System.out.printf("packed %s: %.1f MB in %.1f s%n", target.getFileName(), Files.size(target) / 1e6,
          (System.nanoTime() - start) / 1e9);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot pack " + library, e);
    }
  }

  private static boolean upToDate(Path index, String listed) throws IOException {
    if (!Files.exists(index) || !Files.readString(index, StandardCharsets.UTF_8).equals(listed)) {
      return false;
    }
    Path rocksdbJar = rocksdbJar();
    return rocksdbJar != null && Files.getLastModifiedTime(index).compareTo(Files.getLastModifiedTime(rocksdbJar)) > 0;
  }

  private static Path rocksdbJar() {
    try {
      var source = org.rocksdb.RocksDB.class.getProtectionDomain().getCodeSource();
      return source == null ? null : Path.of(source.getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      return null;
    }
  }
}
