package io.tailstream.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.tukaani.xz.XZInputStream;

/**
 * Loads RocksDB's JNI library, which the runtime jar carries xz-compressed.
 *
 * <p>RocksDB finds its library as a class-path resource named for the platform
 * ({@code librocksdbjni-linux64.so}, {@code librocksdbjni-osx-arm64.jnilib}, …) and copies it to
 * a temporary file. The tools jar and the test class path hold those resources as RocksDB ships
 * them, and then this leaves the loading to RocksDB. The runtime jar holds them as
 * {@code io/tailstream/natives/NAME.xz} instead: six platforms take 29 MB deflated and 18 MB as
 * xz with a branch filter, the difference between a 55 MB and a 44 MB jar. Then this unpacks the
 * one this machine needs into a fresh temporary directory, as RocksDB would have, and hands it to
 * {@link RocksDB#loadLibrary(List)}, after which RocksDB's own loading is a no-op. It must run
 * before anything opens a store; {@link TailstreamApp} calls it first.
 */
public final class RocksDbNative {
  /** Where the runtime jar keeps the packed libraries, and the file that lists them. */
  public static final String PACKED_DIR = "io/tailstream/natives/";
  public static final String INDEX = PACKED_DIR + "INDEX";

  /** What was loaded, from where, and how long unpacking took (zero when RocksDB loaded it). */
  public record Loaded(String library, boolean unpacked, Duration took) {
    public String describe() {
      return library + (unpacked ? " (unpacked from the jar in " + took.toMillis() + " ms)" : " (as RocksDB ships it)");
    }
  }

  private static Loaded loaded;

  private RocksDbNative() {}

  /** Loads the library once per JVM; later calls return the first result. */
  public static synchronized Loaded ensureLoaded() {
    if (loaded == null) {
      ClassLoader classes = RocksDbNative.class.getClassLoader();
      String library = Environment.getJniLibraryFileName("rocksdb");
      loaded = load(classes, library, Path.of(System.getProperty("java.io.tmpdir")));
    }
    return loaded;
  }

  static Loaded load(ClassLoader classes, String library, Path tmpRoot) {
    if (classes.getResource(library) != null) {
      RocksDB.loadLibrary();
      return new Loaded(library, false, Duration.ZERO);
    }
    long start = System.nanoTime();
    Path dir = unpack(classes, library, tmpRoot);
    RocksDB.loadLibrary(List.of(dir.toString()));
    return new Loaded(library, true, Duration.ofNanos(System.nanoTime() - start));
  }

  /** Unpacks {@code library} into a new directory under {@code tmpRoot}, deleted when the JVM exits. */
  static Path unpack(ClassLoader classes, String library, Path tmpRoot) {
    try (InputStream packed = classes.getResourceAsStream(PACKED_DIR + library + ".xz")) {
      if (packed == null) {
        throw new IllegalStateException(missing(classes, library));
      }
      Path dir = Files.createTempDirectory(tmpRoot, "tailstream-rocksdb");
      dir.toFile().deleteOnExit();
      // RocksDB.loadLibrary(paths) looks in each path for getJniLibraryFileName("rocksdbjni"),
      // which spells the name differently from the jar resource ("librocksdbjnijni-linux64.so").
      Path file = dir.resolve(Environment.getJniLibraryFileName("rocksdbjni"));
      file.toFile().deleteOnExit();
      // XZ's CRC64 check fails the copy on a damaged entry rather than loading a damaged library.
      try (InputStream in = new XZInputStream(packed)) {
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack RocksDB's native library " + library + " into "
          + tmpRoot + " (java.io.tmpdir must be writable, e.g. an emptyDir at /tmp): " + e.getMessage(), e);
    }
  }

  private static String missing(ClassLoader classes, String library) throws IOException {
    String carried;
    try (InputStream index = classes.getResourceAsStream(INDEX)) {
      carried = index == null ? "none" : new String(index.readAllBytes(), StandardCharsets.UTF_8).strip().replace("\n", ", ");
    }
    return "this jar has no RocksDB native library for this platform (" + System.getProperty("os.name") + " "
        + System.getProperty("os.arch") + (Environment.isMuslLibc() ? ", musl" : "") + "): it needs " + library
        + " and carries " + carried + ". Run tailstream on one of those platforms.";
  }
}
