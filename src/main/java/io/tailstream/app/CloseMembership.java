package io.tailstream.app;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Whether a closing instance leaves its consumer group, and why (the reason is logged at close).
 *
 * <p>Kafka Streams' plain {@code close} keeps the member in the group, so the coordinator holds its
 * partitions until {@code session.timeout.ms} (45 s by default) runs out. Measured on issue 15: an
 * autoscaler's scale-in (SIGTERM to a dynamic member) closed in half a second, yet its tasks
 * reached the other instance 43 s later. A dynamic member that comes back joins with a new member
 * id anyway, so staying gains it nothing: without static membership we leave, and the group
 * rebalances at once. A static member ({@code group.instance.id}) is the opposite case: it stays,
 * so a pod restarted within the session timeout (a rolling restart) takes its own tasks straight
 * back with no rebalance at all; the price is that a static pod removed for good keeps its tasks
 * waiting until its session times out.
 */
record CloseMembership(GroupMembershipOperation operation, String reason) {
  static final String GROUP_INSTANCE_ID = "group.instance.id";

  CloseMembership {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(reason, "reason");
  }

  /** Chooses from the properties handed to Kafka Streams (what its main consumer will use). */
  static CloseMembership forStreams(Properties streams) {
    return groupInstanceId(streams)
        .map(id -> new CloseMembership(GroupMembershipOperation.REMAIN_IN_GROUP,
            "static member '" + id + "': a restart within session.timeout.ms takes the same tasks"
                + " back without a rebalance; if this instance is gone for good, its tasks move when"
                + " its session times out"))
        .orElseGet(() -> new CloseMembership(GroupMembershipOperation.LEAVE_GROUP,
            "no static membership (kafka.group-instance-id unset): the other instances take this"
                + " one's tasks over now instead of after session.timeout.ms"));
  }

  /** The close options: this membership operation within {@code timeout}. */
  CloseOptions options(Duration timeout) {
    return CloseOptions.groupMembershipOperation(operation).withTimeout(timeout);
  }

  /** For the log: what the close does to the membership, and why. */
  @Override
  public String toString() {
    return (operation == GroupMembershipOperation.LEAVE_GROUP ? "leaving" : "staying in")
        + " the consumer group; " + reason;
  }

  /**
   * The main consumer's {@code group.instance.id} as Streams resolves it: a
   * {@code main.consumer.} setting wins over a {@code consumer.} one, which wins over the bare key.
   */
  static Optional<String> groupInstanceId(Properties streams) {
    for (String key : new String[] {StreamsConfig.mainConsumerPrefix(GROUP_INSTANCE_ID),
        StreamsConfig.consumerPrefix(GROUP_INSTANCE_ID), GROUP_INSTANCE_ID}) {
      Object value = streams.get(key);
      if (value != null) {
        String id = value.toString().trim();
        return id.isEmpty() ? Optional.empty() : Optional.of(id);
      }
    }
    return Optional.empty();
  }
}
