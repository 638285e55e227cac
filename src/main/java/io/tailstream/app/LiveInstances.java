package io.tailstream.app;

import io.tailstream.config.StreamsProperties;
import io.tailstream.config.TailstreamConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many instances of the application are alive, from its consumer group: members are stream
 * threads whose client ids are {@code <application-id>-<process id>-StreamThread-N-consumer}, so
 * distinct process ids are instances. Throughput goals are divided by this number. Refreshed
 * periodically; 1 until known, or when the group cannot be read.
 */
final class LiveInstances {
  private static final Logger log = LoggerFactory.getLogger(LiveInstances.class);

  private final String group;
  private final Properties adminProps;
  private volatile int count = 1;

  LiveInstances(TailstreamConfig config) {
    this.group = config.kafka().applicationId();
    this.adminProps = StreamsProperties.admin(config);
  }

  int count() {
    return count;
  }

  void refresh() {
    try (Admin admin = Admin.create(adminProps)) {
      ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all()
          .get(10, TimeUnit.SECONDS).get(group);
      count = Math.max(1, countProcesses(group, d.members().stream().map(MemberDescription::clientId).toList()));
    } catch (Exception e) {
      log.debug("cannot read group {}: {}", group, e.getMessage());
    }
  }

  static int countProcesses(String applicationId, List<String> clientIds) {
    Set<String> processes = new HashSet<>();
    String prefix = applicationId + "-";
    for (String id : clientIds) {
      int thread = id.indexOf("-StreamThread-");
      if (id.startsWith(prefix) && thread > prefix.length()) {
        processes.add(id.substring(prefix.length(), thread));
      }
    }
    return processes.size();
  }
}
