package io.tailstream.tools;

import io.tailstream.cli.Converters;
import io.tailstream.cli.Main;

import io.tailstream.loadgen.Incident;
import io.tailstream.loadgen.LoadGenerator;
import io.tailstream.otlp.Encoding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tailstream loadgen}: ML inference traffic into any Kafka, as collectors would send it. */
@Command(name = "loadgen", mixinStandardHelpOptions = true,
    description = "Send simulated ML inference traces (OpenTelemetry SDK, OTLP) to a Kafka topic.",
    footer = {"", "Examples:",
        "  tailstream loadgen --bootstrap-servers kafka:9092 --rate 5000 --duration 5m",
        "  tailstream loadgen --bootstrap-servers kafka:9092 --incident error-burst:ranker-v3@60s --incident latency-spike:embedder-v2@2m+30s",
        "  tailstream loadgen --bootstrap-servers kafka:9092 --keyed-by-trace-id --encoding otlp_json"})
final class LoadgenCommand implements Callable<Integer> {
  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT")
  String bootstrapServers;

  @Option(names = "--topic", defaultValue = "otlp_spans", description = "Default: ${DEFAULT-VALUE}.")
  String topic;

  @Option(names = "--rate", defaultValue = "1000", description = "Traces per second (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", defaultValue = "1m", converter = Converters.DurationConverter.class,
      description = "How long (default ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--incident", paramLabel = "KIND:TARGET@START[+DURATION]",
      converter = IncidentConverter.class,
      description = "Inject an incident: error-burst:MODEL, latency-spike:MODEL, slow-feature-store:feature-store; repeatable.")
  List<Incident> incidents = new ArrayList<>();

  @Option(names = "--keyed-by-trace-id", description = "One trace per record, keyed by its hex trace id (partition_traces_by_id).")
  boolean keyed;

  @Option(names = "--encoding", defaultValue = "otlp_proto", converter = Converters.EncodingConverter.class,
      description = "otlp_proto (default) or otlp_json.")
  Encoding encoding;

  @Option(names = "--seed", defaultValue = "1", description = "Same seed, same traffic (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--traces-per-record", defaultValue = "10", description = "Batch size without --keyed-by-trace-id.")
  int perRecord;

  @Option(names = "--error-rate", defaultValue = "0.5%", converter = Converters.RateConverter.class,
      description = "Share of failing requests (default ${DEFAULT-VALUE}).")
  double errorRate;

  @Option(names = "--property", paramLabel = "KEY=VALUE", description = "A Kafka producer property; repeatable.")
  Map<String, String> properties = new LinkedHashMap<>();

  @Override
  public Integer call() {
    LoadGenerator.Settings settings;
    try {
      Properties p = new Properties();
      p.putAll(properties);
      p.put("bootstrap.servers", bootstrapServers);
      settings = new LoadGenerator.Settings(p, topic, rate, duration, List.copyOf(incidents), keyed,
          encoding, seed, perRecord, errorRate);
    } catch (IllegalArgumentException e) {
      System.err.println("tailstream: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
    AtomicBoolean stop = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop.set(true)));
    boolean tty = System.console() != null;
    AtomicLong lastSecond = new AtomicLong(-1);
    AtomicLong sent = new AtomicLong();
    LoadGenerator.Result r = new LoadGenerator(settings).run((trace, elapsed) -> {
      sent.incrementAndGet();
      long second = elapsed.toSeconds();
      if (second != lastSecond.get() && (tty || second % 10 == 0)) {
        lastSecond.set(second);
        String line = String.format("%4ds  %,d traces sent", second, sent.get());
        if (tty) {
          System.err.print("\r" + line);
        } else {
          System.err.println(line);
        }
      }
    }, stop::get);
    if (tty) {
      System.err.println();
    }
    System.out.printf("sent %,d traces (%,d spans) in %,d records, %,d bytes, in %.1f s; incident traces: %s%n",
        r.traces(), r.spans(), r.records(), r.bytes(), r.elapsed().toMillis() / 1000.0, r.incidentTraces());
    return Main.EXIT_OK;
  }
}
