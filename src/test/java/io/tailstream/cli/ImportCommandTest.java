package io.tailstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImportCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  @TempDir
  Path dir;

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  private Path fixture(String name) throws Exception {
    Path p = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/io/tailstream/importer/" + name)) {
      Files.copy(in, p);
    }
    return p;
  }

  @Test
  void collectorImportWritesRulesAndAConfigThatValidate() throws Exception {
    Path rules = dir.resolve("out/rules.yaml");
    Path config = dir.resolve("out/tailstream.yaml");
    assertThat(run("import", "otel-collector", fixture("collector-practical.yaml").toString(),
        "--processor", "tail_sampling/team_a", "-o", rules.toString(), "--config-out", config.toString())).isZero();
    assertThat(Files.readString(rules)).contains("# from policy 'do-not-sample' (drop");
    assertThat(Files.readString(config)).contains("rules: \"rules.yaml\"").contains("  wait: 10s");
    assertThat(run("validate", "--config", config.toString())).isZero();
    assertThat(run("validate", rules.toString())).isZero();
  }

  @Test
  void untranslatablePoliciesExitTwoUnlessBestEffort() throws Exception {
    Path in = fixture("collector-untranslatable.yaml");
    Path rules = dir.resolve("rules.yaml");
    assertThat(run("import", "otel-collector", in.toString(), "-o", rules.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("collector-untranslatable.yaml:7:").contains("not-sampled");
    assertThat(rules).doesNotExist();
    assertThat(run("import", "otel-collector", in.toString(), "-o", rules.toString(), "--best-effort")).isZero();
    assertThat(err.toString()).contains("warning: ");
    assertThat(run("validate", rules.toString())).isZero();
  }

  @Test
  void refineryImportWritesOneFilePerTarget() throws Exception {
    Path rules = dir.resolve("rules.yaml");
    assertThat(run("import", "refinery", fixture("refinery-complete.yaml").toString(), "-o", rules.toString())).isZero();
    for (String name : new String[] {"rules.yaml", "rules-env1.yaml", "rules-env2.yaml", "rules-env3.yaml", "rules-env4.yaml"}) {
      assertThat(run("validate", dir.resolve(name).toString())).as(name).isZero();
    }
    Path one = dir.resolve("one.yaml");
    assertThat(run("import", "refinery", dir.resolve("refinery-complete.yaml").toString(), "--target", "env3",
        "-o", one.toString())).isZero();
    assertThat(Files.readString(one)).contains("sample: 10%");
  }
}
