package io.tailstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./tailstream} script at the root of the clone, run from another directory. Its jar is
 * a manifest-only stand-in whose class path is this test's (the compiled classes and their
 * dependencies), so the real CLI runs without packaging the project; {@code mvn} is a stub on
 * the PATH that records where it was started.
 */
class LauncherScriptTest {
  @TempDir
  Path dir;

  private Path clone;
  private Path caller;
  private Path bin;
  private Path standInJar;

  @BeforeEach
  void cloneWithAStandInJar() throws IOException {
    clone = Files.createDirectories(dir.resolve("clone"));
    Path script = clone.resolve("tailstream");
    Files.copy(Path.of("tailstream"), script);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    standInJar = standInJar(dir.resolve("stand-in.jar"));
    caller = Files.createDirectories(dir.resolve("elsewhere"));
    Files.writeString(caller.resolve("my-rules.yaml"),
        "rules:\n  - name: errors\n    keep: { error: true }\n");
    bin = Files.createDirectories(dir.resolve("bin"));
  }

  @Test
  void relativePathsResolveAgainstTheCallersDirectory() throws Exception {
    Files.createDirectories(clone.resolve("target"));
    Files.copy(standInJar, clone.resolve("target/tailstream.jar"));
    Result r = run("validate", "my-rules.yaml");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("ok: rules my-rules.yaml (version ");
  }

  @Test
  void theBuildRunsInTheCloneAndTailstreamInTheCallersDirectory() throws Exception {
    Path mvnLog = dir.resolve("mvn.log");
    Path mvn = bin.resolve("mvn");
    // A stub that says where it ran and "builds" the jar.
    Files.writeString(mvn, "#!/usr/bin/env bash\npwd > '" + mvnLog + "'\nmkdir -p target\n"
        + "cp '" + standInJar + "' target/tailstream.jar\n");
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
    Result r = run("validate", "my-rules.yaml");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("building ").contains("ok: rules my-rules.yaml");
    assertThat(Path.of(Files.readString(mvnLog).strip()).toRealPath()).isEqualTo(clone.toRealPath());
  }

  @Test
  void demoBenchAndLoadgenRunFromTheToolsJar() throws Exception {
    // Only the tools jar exists: a launcher that picked the runtime jar would try to build it,
    // and the clone has nothing to build.
    Files.createDirectories(clone.resolve("target"));
    Files.copy(standInJar, clone.resolve("target/tailstream-tools.jar"));
    Result r = run("-v", "bench", "--help");
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(r.output()).contains("Usage: tailstream bench").doesNotContain("building ");
  }

  private record Result(int exit, String output) {}

  private Result run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", clone.resolve("tailstream").toString()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(caller.toFile()).redirectErrorStream(true);
    pb.environment().put("PATH", bin + File.pathSeparator + pb.environment().get("PATH"));
    pb.environment().remove("TAILSTREAM_OPTS");
    Process p = pb.start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), output);
  }

  /** A jar with only a manifest: Main-Class is the CLI, Class-Path this test's class path. */
  private static Path standInJar(Path jar) throws IOException {
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(s -> Path.of(s).toAbsolutePath().toUri().toString())
        .collect(Collectors.joining(" "));
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
    manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream ignored = new JarOutputStream(out, manifest)) {
      return jar;
    }
  }
}
