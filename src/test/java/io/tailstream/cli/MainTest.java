package io.tailstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void versionAndHelpListEveryCommand() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("tailstream ");
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("run", "validate", "import", "replay", "dump", "boost", "boosts", "cancel",
        "loadgen", "demo", "bench").contains("Exit codes: 0 ok, 1 failure while running, 2 bad usage");
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(run("loadgen", "--bootstrap-servers", "x:1", "--incident", "meteor@1s")).isEqualTo(2);
  }

  @Test
  void runtimeFailuresAreOneLineWithoutAStackTraceUnlessVerbose() {
    String[] args = {"boosts", "--bootstrap-servers", "localhost:1", "--property", "default.api.timeout.ms=1500",
        "--property", "request.timeout.ms=500"};
    assertThat(run(args)).isEqualTo(1);
    assertThat(err.toString()).startsWith("tailstream: ").contains("(run with -v for details)")
        .doesNotContain("\tat ");
  }
}
