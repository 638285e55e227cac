package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped JSON Schema of control messages agrees with what tailstream accepts and writes. */
class ControlMessageSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonSchema schema() throws Exception {
    try (InputStream in = ControlMessageSchemaTest.class.getResourceAsStream(
        "/io/tailstream/control-message.schema.json")) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(in);
    }
  }

  @Test
  void acceptsTheDocumentedMessagesAndWhatTailstreamWrites() throws Exception {
    JsonSchema schema = schema();
    Boost auto = new Boost("auto-service-ranker", "ranker", null, null, 0.5, 1, false, 1_000_000,
        "auto: error rate 30%", "tailstream", true);
    for (String message : List.of(
        "{\"action\":\"boost\",\"id\":\"inc-4211\",\"scope\":{\"service\":\"ranker\",\"model\":\"ranker-v3\",\"rule\":\"baseline\"},"
            + "\"sample\":\"50%\",\"ttl\":\"30m\",\"reason\":\"INC-4211 ranker latency\",\"by\":\"oncall\"}",
        "{\"action\":\"boost\",\"factor\":3,\"ttl\":\"1h\"}",
        "{\"action\":\"cancel\",\"id\":\"inc-4211\"}",
        new String(BoostMessages.toJson(auto)))) {
      assertThat(schema.validate(JSON.readTree(message))).as(message).isEmpty();
    }
  }

  @Test
  void rejectsWhatTailstreamRefuses() throws Exception {
    JsonSchema schema = schema();
    for (String message : List.of(
        "{\"action\":\"boost\",\"sample\":\"50%\"}",
        "{\"action\":\"boost\",\"sample\":\"50%\",\"factor\":2,\"ttl\":\"1h\"}",
        "{\"action\":\"boost\",\"sample\":\"50%\",\"ttl\":\"1h\",\"scope\":{\"team\":\"x\"}}",
        "{\"action\":\"explode\"}")) {
      assertThat(schema.validate(JSON.readTree(message))).as(message).isNotEmpty();
    }
  }
}
