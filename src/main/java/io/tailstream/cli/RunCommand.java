package io.tailstream.cli;

import io.tailstream.app.TailstreamApp;
import io.tailstream.config.ConfigLoader;
import io.tailstream.config.TailstreamConfig;
import io.tailstream.yaml.YamlException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tailstream run --config tailstream.yaml}: runs one instance until stopped. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Run tailstream: read spans, buffer traces, write kept traces.",
    footer = {"", "Examples:", "  tailstream run --config tailstream.yaml",
        "  TAILSTREAM_KAFKA_BOOTSTRAP_SERVERS=kafka:9092 tailstream run -c tailstream.yaml"})
final class RunCommand implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
      description = "The config file (YAML). TAILSTREAM_* environment variables override keys.")
  Path config;

  @Override
  public Integer call() throws Exception {
    TailstreamApp app;
    try {
      TailstreamConfig loaded = ConfigLoader.load(config);
      app = TailstreamApp.create(loaded);
    } catch (YamlException e) {
      System.err.println("tailstream: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
    Thread shutdown = new Thread(app::close, "tailstream-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    try {
      app.start();
      app.awaitStop();
    } catch (org.apache.kafka.common.config.ConfigException e) {
      System.err.println("tailstream: invalid Kafka setting in kafka.properties: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    } catch (IllegalStateException e) {
      System.err.println("tailstream: " + e.getMessage());
      return Main.EXIT_FAILURE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return app.failed() ? Main.EXIT_FAILURE : Main.EXIT_OK;
  }
}
