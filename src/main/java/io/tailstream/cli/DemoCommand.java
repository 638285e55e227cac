package io.tailstream.cli;

import io.tailstream.demo.Demo;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tailstream demo}: everything in one JVM, nothing to install. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run an in-JVM Kafka broker, tailstream and an ML inference workload, then "
        + "report what was kept.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--duration", defaultValue = "60", description = "Seconds of load (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--rate", defaultValue = "300", description = "Traces per second (default ${DEFAULT-VALUE}).")
  int rate;

  @Override
  public Integer call() throws Exception {
    Demo demo = new Demo(Duration.ofSeconds(seconds), rate, System.out);
    Runtime.getRuntime().addShutdownHook(new Thread(demo::stop));
    double recall = demo.run();
    return recall == 1.0 ? Main.EXIT_OK : Main.EXIT_FAILURE;
  }
}
