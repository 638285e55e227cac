package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.config.ConfigLoader;
import io.tailstream.config.StreamsProperties;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.CloseOptions.GroupMembershipOperation;
import org.junit.jupiter.api.Test;

class CloseMembershipTest {
  private static final String CONFIG = "kafka:\n  bootstrap-servers: b:9092\n";

  private static Properties streams(String yaml, Map<String, String> env) {
    return StreamsProperties.streams(ConfigLoader.parse(yaml, "tailstream.yaml", Path.of("/tmp"), env));
  }

  @Test
  void withoutStaticMembershipAClosingInstanceLeavesTheGroup() {
    CloseMembership m = CloseMembership.forStreams(streams(CONFIG, Map.of()));
    assertThat(m.operation()).isEqualTo(GroupMembershipOperation.LEAVE_GROUP);
    assertThat(m.toString()).startsWith("leaving the consumer group; no static membership");
  }

  @Test
  void aStaticMemberFromTheEnvironmentStaysInTheGroup() {
    CloseMembership m = CloseMembership.forStreams(
        streams(CONFIG, Map.of("TAILSTREAM_KAFKA_GROUP_INSTANCE_ID", "tailstream-2")));
    assertThat(m.operation()).isEqualTo(GroupMembershipOperation.REMAIN_IN_GROUP);
    assertThat(m.toString()).startsWith("staying in the consumer group; static member 'tailstream-2'");
  }

  @Test
  void aStaticMemberSetThroughKafkaPropertiesCountsToo() {
    for (String key : new String[] {"group.instance.id", "consumer.group.instance.id",
        "main.consumer.group.instance.id"}) {
      Properties p = streams(CONFIG + "  properties:\n    " + key + ": pod-7\n", Map.of());
      assertThat(CloseMembership.forStreams(p).operation()).as(key)
          .isEqualTo(GroupMembershipOperation.REMAIN_IN_GROUP);
    }
  }

  @Test
  void theMainConsumerSettingWinsAsInKafkaStreams() {
    Properties p = new Properties();
    p.put("group.instance.id", "bare");
    p.put("consumer.group.instance.id", "consumer");
    assertThat(CloseMembership.groupInstanceId(p)).contains("consumer");
    p.put("main.consumer.group.instance.id", "main");
    assertThat(CloseMembership.groupInstanceId(p)).contains("main");
  }
}
