package io.tailstream.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {
  @Test
  void masksEverySecretLookingKeyAndKeepsTheRest() {
    Map<String, String> masked = Secrets.masked(Map.of(
        "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p\";",
        "ssl.keystore.password", "k", "ssl.key.password", "k2", "ssl.truststore.password", "t",
        "sasl.oauthbearer.token.endpoint.url", "https://x", "security.protocol", "SASL_SSL",
        "bootstrap.servers", "kafka:9093"));
    assertThat(masked).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("bootstrap.servers", "kafka:9093")
        .containsEntry("sasl.jaas.config", Secrets.MASK)
        .containsEntry("ssl.keystore.password", Secrets.MASK)
        .containsEntry("ssl.key.password", Secrets.MASK)
        .containsEntry("ssl.truststore.password", Secrets.MASK);
    assertThat(masked.toString()).doesNotContain("password=\"p\"");
  }

  @Test
  void hugeYamlIsRefused() {
    String huge = "rules: []\n#" + "x".repeat(io.tailstream.yaml.YamlNode.MAX_CODE_POINTS + 10);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> io.tailstream.yaml.YamlNode.parse(huge, "big.yaml"))
        .isInstanceOf(io.tailstream.yaml.YamlException.class).hasMessageContaining("big.yaml");
  }
}
