package io.tailstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.embedded.EmbeddedKafkaBroker;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class BrokerBytesTest {
  @Test
  void betweenCountsWhatEachTopicGrewByExceptTheInputAndTheBrokersOwn() {
    Map<String, Long> before = Map.of("p-in", 1_000L, "p-out", 100L, "p-changelog", 500L,
        "__consumer_offsets", 10L, "p-compacted", 900L);
    Map<String, Long> after = Map.of("p-in", 1_000L, "p-out", 150L, "p-changelog", 1_500L,
        "__consumer_offsets", 90L, "p-compacted", 400L, "p-repartition", 700L);
    BrokerBytes.Written w = BrokerBytes.between(before, after, "p-in", "p-", "test");
    assertThat(w.byTopic()).containsExactlyInAnyOrderEntriesOf(
        Map.of("out", 50L, "changelog", 1_000L, "repartition", 700L));
    assertThat(w.total()).isEqualTo(1_750);
    assertThat(w.inputBytes()).isEqualTo(1_000);
    assertThat(w.perInputByte()).isEqualTo(1.75);
    assertThat(BrokerBytes.between(Map.of(), Map.of(), "in", "", "test").perInputByte()).isNaN();
  }

  @Test
  void bothSourcesSeeTheBytesProducedToEachTopicOfTheInJvmBroker() throws Exception {
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("written", 2, (short) 1),
          new NewTopic("untouched", 1, (short) 1))).all().get();
      List<BrokerBytes.Source> sources = List.of(BrokerBytes.brokerMetrics(), BrokerBytes.logDirs(admin));
      List<Map<String, Long>> before = sources.stream().map(BrokerBytes.Source::snapshot).toList();
      Random random = new Random(3);
      long values = 0;
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
          "bootstrap.servers", broker.bootstrapServers(), "compression.type", "none"),
          new ByteArraySerializer(), new ByteArraySerializer())) {
        for (int i = 0; i < 200; i++) {
          byte[] value = new byte[1_000];
          random.nextBytes(value);
          producer.send(new ProducerRecord<>("written", value));
          values += value.length;
        }
      }
      for (int i = 0; i < sources.size(); i++) {
        BrokerBytes.Written w = BrokerBytes.between(before.get(i), sources.get(i).snapshot(), "none",
            "", sources.get(i).name());
        assertThat(w.byTopic()).as(sources.get(i).name()).containsOnlyKeys("written");
        // The values plus record and batch headers: a few dozen bytes per record at most.
        assertThat(w.byTopic().get("written")).as(sources.get(i).name())
            .isBetween(values, values + 200 * 100L);
      }
    }
  }
}
