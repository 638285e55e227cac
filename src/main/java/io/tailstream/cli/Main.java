package io.tailstream.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.ServiceLoader;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code tailstream} command. Exit codes: 0 ok, 1 failure while running, 2 bad usage or config. */
@Command(name = "tailstream", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Tail-based sampling of OpenTelemetry traces on Kafka Streams.",
    footer = {"", "Exit codes: 0 ok, 1 failure while running, 2 bad usage, config or rules.",
        "Start with: ./tailstream demo (from a clone; demo, bench and loadgen are in tailstream-tools.jar)"},
    subcommands = {RunCommand.class, ValidateCommand.class, ImportCommand.class, ReplayCommand.class,
        DumpCommand.class,
        BoostCommand.class, BoostsCommand.class, CancelCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  public static final int EXIT_OK = 0;
  public static final int EXIT_FAILURE = 1;
  public static final int EXIT_BAD_CONFIG = 2;

  @Option(names = {"-v", "--verbose"}, description = "Debug logging for tailstream.",
      scope = CommandLine.ScopeType.INHERIT)
  void verbose(boolean on) {
    verbose = on;
    if (on) {
      ((Logger) LoggerFactory.getLogger("io.tailstream")).setLevel(Level.DEBUG);
    }
  }

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  private boolean verbose;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  public static CommandLine commandLine() {
    Main main = new Main();
    CommandLine commandLine = new CommandLine(main);
    // demo, bench, loadgen: in the tools jar only (the runtime jar leaves them and the broker out).
    ServiceLoader.load(ToolCommands.class).forEach(tools -> tools.commands().forEach(commandLine::addSubcommand));
    return commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      // One readable line; the stack trace only with -v.
      String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      cmd.getErr().println("tailstream: " + message);
      if (main.verbose) {
        e.printStackTrace(cmd.getErr());
      } else {
        cmd.getErr().println("(run with -v for details)");
      }
      return e instanceof IllegalArgumentException ? EXIT_BAD_CONFIG : EXIT_FAILURE;
    });
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("/io/tailstream/version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"tailstream " + p.getProperty("version", "unknown")};
    }
  }
}
