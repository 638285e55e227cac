package io.tailstream.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testcontainers.kafka.KafkaContainer;

/**
 * {@link PipelineContract} on the {@code apache/kafka} image, for machines with a Docker engine:
 * a broker as users run it, in its own process and network stack. Skipped, with the reason,
 * where there is no engine; the in-JVM variant covers the same contract there.
 * The image is the Kafka clients' version ({@code mvn verify -Dit.kafka.image=apache/kafka:X} picks another).
 */
@ExtendWith(DockerAvailable.class)
class PipelineContainerIntegrationTest extends PipelineContract {
  private static KafkaContainer kafka;

  @BeforeAll
  static void startContainer() {
    kafka = new KafkaContainer(System.getProperty("tailstream.it.kafka-image", "apache/kafka:latest"));
    kafka.start();
  }

  @AfterAll
  static void stopContainer() {
    if (kafka != null) {
      kafka.stop();
    }
  }

  @Override
  String bootstrapServers() {
    return kafka.getBootstrapServers();
  }
}
