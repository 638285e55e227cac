package io.tailstream.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * Who owns what in a group of {@code run} instances, each started with {@code client.id} set to
 * its name (its consumers are then {@code <name>-StreamThread-n-consumer}): the partitions of
 * the input topic are its split tasks, the others (the by-trace topic's, whatever it is called)
 * its buffer-and-decide tasks.
 */
final class GroupAssignment {
  private static final Pattern REBALANCING = Pattern.compile("-> REBALANCING");

  private GroupAssignment() {}

  /**
   * Waits until every instance runs and each owns input partitions and buffer partitions:
   * instance name → the partitions it owns.
   */
  static Map<String, Set<TopicPartition>> awaitShared(Admin admin, String group, String input,
      Map<String, AdminEndpoint> instances, Duration timeout) throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    Map<String, Set<TopicPartition>> owned = Map.of();
    while (System.nanoTime() < end) {
      if (instances.values().stream().allMatch(AdminEndpoint::ready)) {
        owned = owned(admin, group, instances.keySet());
        if (owned.keySet().equals(instances.keySet()) && owned.values().stream().allMatch(parts ->
            !inputPartitions(parts, input).isEmpty() && parts.size() > inputPartitions(parts, input).size())) {
          return owned;
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the instances never each owned split and buffer tasks; last assignment: " + owned);
  }

  private static Map<String, Set<TopicPartition>> owned(Admin admin, String group, Set<String> names)
      throws Exception {
    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    Map<String, Set<TopicPartition>> owned = new TreeMap<>();
    for (MemberDescription m : description.members()) {
      String name = names.stream().filter(n -> m.clientId().startsWith(n + "-")).findFirst().orElse(m.clientId());
      owned.computeIfAbsent(name, k -> new HashSet<>()).addAll(m.assignment().topicPartitions());
    }
    return owned;
  }

  /** The input partitions among {@code partitions}: the split tasks. */
  static Set<Integer> inputPartitions(Set<TopicPartition> partitions, String input) {
    Set<Integer> out = new TreeSet<>();
    partitions.stream().filter(p -> p.topic().equals(input)).forEach(p -> out.add(p.partition()));
    return out;
  }

  /** How often an instance's Kafka Streams went into a rebalance, from the state changes it logs. */
  static long rebalances(Path log) throws Exception {
    return Files.exists(log) ? REBALANCING.matcher(Files.readString(log)).results().count() : 0;
  }
}
