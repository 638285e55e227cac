package io.tailstream.config;

import java.util.Map;
import java.util.Objects;

/**
 * How to reach Kafka. {@code properties} go to every client tailstream creates (Streams, admin,
 * producers): security settings, {@code state.dir}, tuning. {@code groupInstanceId} (nullable)
 * turns on static group membership: a restarted instance gets its tasks straight back instead of
 * waiting for the session timeout and a rebalance.
 */
public record KafkaSettings(String bootstrapServers, String applicationId,
    Map<String, String> properties, String groupInstanceId) {
  public KafkaSettings {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(applicationId, "applicationId");
    properties = Map.copyOf(properties);
  }
}
