package io.tailstream.tools;

import io.tailstream.cli.Converters;
import io.tailstream.cli.Main;

import io.tailstream.demo.Demo;
import io.tailstream.demo.DemoReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tailstream demo}: everything in one JVM, nothing to install. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run an in-JVM Kafka broker, tailstream and ML inference traffic with incidents; "
        + "show what is kept, live, then report.",
    footer = {"", "Examples:", "  tailstream demo", "  tailstream demo --duration 3m --rate 800 --output-dir /tmp"})
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--duration", defaultValue = "90s", converter = Converters.DurationConverter.class,
      description = "How long traffic runs (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--rate", defaultValue = "400", description = "Traces per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--output-dir", defaultValue = ".", description = "Where the HTML report and the kept-traces dump go.")
  Path outputDir;

  @Override
  public Integer call() throws Exception {
    Demo demo = new Demo(new Demo.Options(duration, rate, outputDir, System.out,
        System.console() != null));
    Thread main = Thread.currentThread();
    // Ctrl-C: stop the traffic and let the demo finish its report and clean up before the JVM exits.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.stop();
      try {
        main.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    DemoReport report = demo.run();
    return report.incidentRecall() == 1.0 ? Main.EXIT_OK : Main.EXIT_FAILURE;
  }
}
