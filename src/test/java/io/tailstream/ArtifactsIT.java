package io.tailstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The two jars {@code mvn package} builds, checked after packaging (failsafe, in {@code verify}):
 * the runtime jar holds no broker, no Scala, no log4j-core, no commons-collections 3, no
 * OpenTelemetry SDK and none of the tools, and runs; the tools jar holds everything and runs
 * {@code demo}'s and {@code bench}'s commands; both carry natives for linux x86_64/aarch64 (glibc
 * and musl) and macOS x86_64/arm64 only, the runtime jar's RocksDB libraries xz-packed, which
 * keeps it under 45 MB. Their sizes and largest entries are printed for the release notes.
 * {@code it.RuntimeJarIT} runs the runtime jar against a broker.
 */
class ArtifactsIT {
  private static final Path RUNTIME = Path.of("target", "tailstream.jar");
  private static final Path TOOLS = Path.of("target", "tailstream-tools.jar");

  /** Prefixes of what only the broker, the tools or the load generator need. */
  private static final List<String> NOT_IN_RUNTIME = List.of("kafka/server/", "kafka/log/",
      "kafka/cluster/", "kafka/coordinator/", "kafka/raft/", "scala/",
      "org/apache/kafka/raft/", "org/apache/kafka/metadata/", "org/apache/kafka/storage/",
      "org/apache/kafka/coordinator/", "org/apache/logging/log4j/", "org/apache/commons/collections/",
      "org/jose4j/", "net/sourceforge/argparse4j/", "joptsimple/", "com/yammer/",
      "io/opentelemetry/sdk/", "io/opentelemetry/api/", "io/tailstream/tools/", "io/tailstream/demo/",
      "io/tailstream/bench/", "io/tailstream/loadgen/", "io/tailstream/embedded/",
      "io/tailstream/workload/", "META-INF/services/io.tailstream.cli.ToolCommands");

  /** Natives of the six platforms kept, for RocksDB, zstd, lz4 and snappy. */
  private static final Pattern KEPT_NATIVE = Pattern.compile(String.join("|",
      "librocksdbjni-(linux64|linux64-musl|linux-aarch64|linux-aarch64-musl)\\.so",
      "librocksdbjni-osx-(x86_64|arm64)\\.jnilib",
      "(linux/(amd64|aarch64)|darwin/(x86_64|aarch64))/libzstd-jni-[0-9.-]+\\.(so|dylib)",
      "net/jpountz/util/(linux/(amd64|aarch64)|darwin/(x86_64|aarch64))/liblz4-java\\.(so|dylib)",
      "org/xerial/snappy/native/(Linux/(x86_64|aarch64)|Mac/(x86_64|aarch64))/libsnappyjava\\.(so|dylib)"));
  private static final Pattern NATIVE = Pattern.compile(".*\\.(so|dylib|jnilib|dll)$");
  private static final List<String> ROCKSDB = List.of("librocksdbjni-linux64.so", "librocksdbjni-linux64-musl.so",
      "librocksdbjni-linux-aarch64.so", "librocksdbjni-linux-aarch64-musl.so", "librocksdbjni-osx-x86_64.jnilib",
      "librocksdbjni-osx-arm64.jnilib");
  private static final long RUNTIME_LIMIT_BYTES = 45_000_000;

  @Test
  void theRuntimeJarHoldsNoBrokerNoScalaNoLog4jNoSdkAndNoTools() throws IOException {
    List<String> entries = entries(RUNTIME);
    // kafka-clients' own kafka/*.properties stay; a class under kafka/ is the broker's Scala.
    List<String> found = entries.stream()
        .filter(e -> NOT_IN_RUNTIME.stream().anyMatch(e::startsWith)
            || (e.startsWith("kafka/") && e.endsWith(".class")))
        .limit(20).toList();

    assertThat(found).as("runtime jar entries that only the broker or the tools need").isEmpty();
    assertThat(entries).contains("io/tailstream/cli/Main.class",
        "org/apache/kafka/streams/KafkaStreams.class", "org/rocksdb/RocksDB.class",
        "io/tailstream/natives/librocksdbjni-linux64.so.xz", "io/tailstream/natives/INDEX");
    assertThat(Files.size(RUNTIME)).as("runtime jar bytes").isLessThan(RUNTIME_LIMIT_BYTES);
    report(RUNTIME);
  }

  @Test
  void theToolsJarHoldsTheToolsAndTheBroker() throws IOException {
    List<String> entries = entries(TOOLS);

    assertThat(entries).contains("io/tailstream/tools/Tools.class", "io/tailstream/embedded/EmbeddedKafkaBroker.class",
        "kafka/server/KafkaRaftServer.class", "META-INF/services/io.tailstream.cli.ToolCommands");
    report(TOOLS);
  }

  @Test
  void bothJarsCarryNativesForTheSixPlatformsOnly() throws IOException {
    for (Path jar : List.of(RUNTIME, TOOLS)) {
      List<String> natives = entries(jar).stream().filter(e -> NATIVE.matcher(e).matches()).toList();
      assertThat(natives).as(jar + ": natives").isNotEmpty()
          .allSatisfy(n -> assertThat(KEPT_NATIVE.matcher(n).matches()).as(n).isTrue());
      int rocksdb = jar.equals(TOOLS) ? 6 : 0;
      assertThat(natives).as(jar + ": one of each library per platform").hasSize(rocksdb + 4 * 3);
    }
    List<String> packed = entries(RUNTIME).stream().filter(e -> e.startsWith("io/tailstream/natives/")
        && e.endsWith(".xz")).toList();
    assertThat(packed).as("the runtime jar's packed RocksDB libraries")
        .containsExactlyInAnyOrderElementsOf(ROCKSDB.stream().map(n -> "io/tailstream/natives/" + n + ".xz").toList());
  }

  @Test
  void eachPackedRocksDbLibraryUnpacksToExactlyTheOneRocksDbShips() throws IOException {
    ClassLoader rocksdbjni = ArtifactsIT.class.getClassLoader();
    try (JarFile runtime = new JarFile(RUNTIME.toFile())) {
      for (String library : ROCKSDB) {
        byte[] shipped;
        try (var in = rocksdbjni.getResourceAsStream(library)) {
          assertThat(in).as("rocksdbjni on the test class path has " + library).isNotNull();
          shipped = in.readAllBytes();
        }
        ZipEntry entry = runtime.getEntry("io/tailstream/natives/" + library + ".xz");
        byte[] unpacked;
        try (var in = new org.tukaani.xz.XZInputStream(runtime.getInputStream(entry))) {
          unpacked = in.readAllBytes();
        }
        assertThat(unpacked).as(library).isEqualTo(shipped);
      }
      String index = new String(runtime.getInputStream(runtime.getEntry("io/tailstream/natives/INDEX")).readAllBytes(),
          StandardCharsets.UTF_8);
      assertThat(index.lines().toList()).containsExactlyElementsOf(ROCKSDB);
    }
  }

  @Test
  void theRuntimeJarRunsItsCommandsAndNotTheTools() throws Exception {
    Run validate = java(RUNTIME, "validate", "--config", "examples/tailstream.yaml");
    assertThat(validate.exit()).as(validate.output()).isZero();
    assertThat(validate.output()).contains("ok: config examples/tailstream.yaml")
        .containsPattern("ok: RocksDB native library librocksdbjni-\\S+ \\(unpacked from the jar in \\d+ ms\\)");

    Run help = java(RUNTIME, "--help");
    assertThat(help.exit()).as(help.output()).isZero();
    assertThat(help.output()).contains("  run ", "  validate ").doesNotContain("  demo ", "  bench ");

    Run demo = java(RUNTIME, "demo");
    assertThat(demo.exit()).as(demo.output()).isEqualTo(2);
    assertThat(demo.output()).contains("Unmatched argument");
  }

  @Test
  void theToolsJarRunsTheToolCommands() throws Exception {
    Run bench = java(TOOLS, "bench", "--help");
    assertThat(bench.exit()).as(bench.output()).isZero();
    assertThat(bench.output()).contains("Usage: tailstream bench");
    Run help = java(TOOLS, "--help");
    assertThat(help.output()).contains("  demo ", "  bench ", "  loadgen ", "  run ");
  }

  private static List<String> entries(Path jar) throws IOException {
    assertThat(jar).as("built by mvn package").exists();
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream().map(ZipEntry::getName).toList();
    }
  }

  /** Size and the ten largest entries, for the note that ships the jars. */
  private static void report(Path jar) throws IOException {
    List<ZipEntry> all = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      file.stream().forEach(all::add);
    }
    all.sort(Comparator.comparingLong(ZipEntry::getSize).reversed());
    StringBuilder out = new StringBuilder(String.format("%s: %.1f MB, %d entries; largest:%n", jar,
        Files.size(jar) / 1e6, all.size()));
    all.stream().limit(10).forEach(e -> out.append(String.format("  %8.1f MB  %s%n", e.getSize() / 1e6, e.getName())));
    System.out.print(out);
  }

  private record Run(int exit, String output) {}

  private static Run java(Path jar, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin"
        + File.separator + "java", "-jar", jar.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s").isTrue();
    return new Run(p.exitValue(), output);
  }
}
