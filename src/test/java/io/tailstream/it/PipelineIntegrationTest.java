package io.tailstream.it;

import io.tailstream.embedded.EmbeddedKafkaBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link PipelineContract} on the in-JVM KRaft broker: runs everywhere, the default. */
class PipelineIntegrationTest extends PipelineContract {
  private static EmbeddedKafkaBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafkaBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Override
  String bootstrapServers() {
    return broker.bootstrapServers();
  }
}
