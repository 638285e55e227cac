package io.tailstream.cli;

import io.tailstream.replay.TopicSource;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Where to read recorded spans from a topic: shared by {@code replay} and {@code dump}. */
final class TopicOptions {
  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Kafka brokers.")
  String bootstrapServers;

  @Option(names = "--property", paramLabel = "KEY=VALUE",
      description = "A Kafka client property (security settings etc.); repeatable.")
  Map<String, String> properties = new LinkedHashMap<>();

  @Option(names = "--since", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
      description = "Start at records this old (e.g. 1h, 15m). Default: the beginning.")
  Duration since;

  @Option(names = "--from-offset", paramLabel = "N", description = "Start at this offset in every partition.")
  Long fromOffset;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "9223372036854775807",
      description = "Read at most N records.")
  long limit;

  TopicSource source(String topic) {
    if (bootstrapServers == null) {
      throw new IllegalArgumentException("--bootstrap-servers is required to read a topic");
    }
    if (since != null && fromOffset != null) {
      throw new IllegalArgumentException("give --since or --from-offset, not both");
    }
    Properties props = new Properties();
    props.putAll(properties);
    props.put("bootstrap.servers", bootstrapServers);
    TopicSource.Start start = since != null
        ? new TopicSource.Start.Since(since)
        : fromOffset != null ? new TopicSource.Start.Offset(fromOffset) : new TopicSource.Start.Beginning();
    return new TopicSource(props, topic, start, limit);
  }
}
