package io.tailstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int validate(String... args) {
    ValidateCommand command = new ValidateCommand();
    command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
    command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
    return new CommandLine(command).execute(args);
  }

  @Test
  void validRulesFilePrintsOneLinePerRule() {
    int code = validate("examples/rules-ml-inference.yaml");
    assertThat(code).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text).startsWith("ok: rules examples/rules-ml-inference.yaml (version ")
        .contains("12 rules, default drop")
        .contains("health-checks").contains("keep any trace at 1%");
    assertThat(text.lines().count()).isEqualTo(13);
  }

  @Test
  void validConfigChecksItsRulesToo() {
    assertThat(validate("--config", "examples/tailstream.yaml")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("ok: config examples/tailstream.yaml")
        .contains("4 rules");
  }

  @Test
  void invalidRulesExitTwoWithTheLocation() throws Exception {
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(rules, "rules:\n  - name: slow\n    keep: { latency: soon }\n");
    assertThat(validate(rules.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains(rules + ":3:22: rules[0](slow).keep.latency: bad value 'soon'");
  }

  @Test
  void warningsArePrintedButValid() throws Exception {
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(rules, "rules:\n  - name: all\n    sample: 100%\n  - name: errors\n    keep: { error: true }\n");
    assertThat(validate(rules.toString())).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("warning: ").contains("'errors' can never fire");
  }

  @Test
  void nothingToValidateIsAUsageError() {
    assertThat(validate()).isEqualTo(2);
  }
}
