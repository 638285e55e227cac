package io.tailstream.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Bytes of a state store's files under a state directory (every task, every segment). */
final class StoreFiles {
  private StoreFiles() {}

  static long bytes(Path stateDir, String storeName) {
    if (!Files.exists(stateDir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(stateDir)) {
      return files.filter(Files::isRegularFile)
          .filter(f -> storeName == null || f.toString().contains("/" + storeName + "/")
              || f.toString().contains("/" + storeName + "."))
          .mapToLong(StoreFiles::size)
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException gone) {
      return 0; // RocksDB deletes files while we walk (compaction)
    }
  }
}
