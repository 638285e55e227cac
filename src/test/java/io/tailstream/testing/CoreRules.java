package io.tailstream.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The core four rules (errors, slow, slow-model, baseline 1%): examples/rules.yaml, as tests use it. */
public final class CoreRules {
  public static final String YAML = read();

  private CoreRules() {}

  private static String read() {
    try {
      return Files.readString(Path.of("examples/rules.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
