package io.tailstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostTable;
import io.tailstream.adapt.ModelLearners;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.rules.RulesParser;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class RatesPublisherTest {
  private final BoostTable boosts = new BoostTable(10);
  private final ActiveRules rules = new ActiveRules(Decider.compile(RulesParser.parse(
      "rules:\n  - name: errors\n    keep: { error: true }\n  - name: baseline\n    sample: 1%\n", "r.yaml"),
      new io.tailstream.adapt.AdaptiveState(new ModelLearners(), boosts, () -> 1)));
  private final MockProducer<String, byte[]> producer =
      new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
  /** Publishes on the calling thread, so that each step's messages can be read right after it. */
  private final RatesPublisher publisher =
      new RatesPublisher(producer, "rates", rules, 10_000, 0, Runnable::run);

  private long now;

  {
    boosts.onChange(c -> publisher.onBoostChange(c, this.now));
  }

  private static Boost boost(String id, String service, double sample, long expires) {
    return new Boost(id, service, null, null, sample, 1, false, expires, "r", "me", false);
  }

  private List<JsonObject> rateMessages() {
    return producer.history().stream().filter(r -> r.key().startsWith("rate:"))
        .map(r -> JsonParser.parseString(new String(r.value(), StandardCharsets.UTF_8)).getAsJsonObject())
        .toList();
  }

  @Test
  void publishesABoostsStartAndEndKeyedByScope() {
    now = 1_000;
    boosts.put(boost("inc-1", "ranker", 0.5, 60_000), now);
    List<ProducerRecord<String, byte[]>> sent = producer.history();
    assertThat(sent).extracting(ProducerRecord::key).contains("rate:service=ranker", RatesPublisher.JAEGER_KEY);
    JsonObject m = rateMessages().get(0);
    assertThat(m.getAsJsonObject("scope").get("service").getAsString()).isEqualTo("ranker");
    assertThat(m.get("old").getAsDouble()).isEqualTo(0.01);
    assertThat(m.get("new").getAsDouble()).isEqualTo(0.5);
    assertThat(m.get("cause").getAsString()).isEqualTo("boost:inc-1");
    assertThat(m.get("time").getAsString()).isEqualTo("1970-01-01T00:00:01Z");

    now = 61_000; // expired, noticed by the next tick
    publisher.tick(now);
    JsonObject end = rateMessages().get(1);
    assertThat(end.get("old").getAsDouble()).isEqualTo(0.5);
    assertThat(end.get("new").getAsDouble()).isEqualTo(0.01);
    assertThat(end.get("cause").getAsString()).isEqualTo("boost:inc-1 ended");
  }

  @Test
  void atMostOneMessagePerScopePerInterval() {
    now = 1_000;
    boosts.put(boost("a", null, 0.2, 100_000), now);
    now = 2_000;
    boosts.put(boost("b", null, 0.3, 100_000), now);
    now = 3_000;
    boosts.put(boost("c", null, 0.4, 100_000), now);
    assertThat(rateMessages()).hasSize(1);
    now = 11_000;
    publisher.tick(now);
    List<JsonObject> messages = rateMessages();
    assertThat(messages).hasSize(2);
    assertThat(messages.get(1).get("old").getAsDouble()).isEqualTo(0.2);
    assertThat(messages.get(1).get("new").getAsDouble()).isEqualTo(0.4);
    assertThat(messages.get(1).getAsJsonObject("scope").size()).isZero();
  }

  @Test
  void aServiceWhoseLastMessageMatchedTheDefaultIsToldWhenTheDefaultMovesOn() {
    now = 1_000;
    boosts.put(boost("ranker-only", "ranker", 0.8, 1_000_000), now);
    now = 20_000; // a boost of every service lifts the ranker too: both are published at 0.9
    boosts.put(boost("everyone", null, 0.9, 1_000_000), now);
    now = 40_000;
    boosts.remove("ranker-only", now);
    now = 60_000;
    boosts.remove("everyone", now);
    List<ProducerRecord<String, byte[]>> ranker = producer.history().stream()
        .filter(r -> r.key().equals("rate:service=ranker")).toList();
    JsonObject last = JsonParser.parseString(new String(ranker.get(ranker.size() - 1).value(),
        StandardCharsets.UTF_8)).getAsJsonObject();
    assertThat(last.get("new").getAsDouble()).as("the ranker's rate on the topic").isEqualTo(0.01);
    assertThat(last.get("cause").getAsString()).isEqualTo("boost:everyone ended");
  }

  @Test
  void jaegerStrategiesReflectTheEffectiveRates() {
    now = 1_000;
    boosts.put(boost("inc-2", "ranker", 0.5, 60_000), now);
    publisher.publishStrategies(now);
    ProducerRecord<String, byte[]> last = producer.history().get(producer.history().size() - 1);
    JsonObject doc = JsonParser.parseString(new String(last.value(), StandardCharsets.UTF_8)).getAsJsonObject();
    assertThat(doc.getAsJsonObject("default_strategy").get("type").getAsString()).isEqualTo("probabilistic");
    assertThat(doc.getAsJsonObject("default_strategy").get("param").getAsDouble()).isEqualTo(0.01);
    JsonObject ranker = doc.getAsJsonArray("service_strategies").get(0).getAsJsonObject();
    assertThat(ranker.get("service").getAsString()).isEqualTo("ranker");
    assertThat(ranker.get("param").getAsDouble()).isEqualTo(0.5);
    assertThat(ranker.getAsJsonArray("operation_strategies")).isEmpty();
  }

  @Test
  void adminEndpointAnswersLikeJaegerRemoteSamplingOverHttp() throws Exception {
    now = 1_000;
    boosts.put(boost("inc-3", "ranker", 0.5, Long.MAX_VALUE), now);
    FakeAdminSource source = new FakeAdminSource();
    source.rates = () -> publisher.snapshot(2_000);
    try (AdminServer server = new AdminServer("127.0.0.1", 0, source)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ranker = http.send(HttpRequest.newBuilder(URI.create(
          "http://localhost:" + server.port() + "/api/sampling?service=ranker")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ranker.statusCode()).isEqualTo(200);
      assertThat(ranker.headers().firstValue("Content-Type")).contains("application/json");
      JsonObject body = JsonParser.parseString(ranker.body()).getAsJsonObject();
      assertThat(body.get("strategyType").getAsString()).isEqualTo("PROBABILISTIC");
      assertThat(body.getAsJsonObject("probabilisticSampling").get("samplingRate").getAsDouble()).isEqualTo(0.5);
      assertThat(body.getAsJsonObject("operationSampling").get("defaultSamplingProbability").getAsDouble())
          .isEqualTo(0.5);
      HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(
          "http://localhost:" + server.port() + "/api/sampling?service=search")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(JsonParser.parseString(other.body()).getAsJsonObject()
          .getAsJsonObject("probabilisticSampling").get("samplingRate").getAsDouble()).isEqualTo(0.01);
      HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(
          "http://localhost:" + server.port() + "/api/sampling")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(bad.statusCode()).isEqualTo(400);
      HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(
          "http://localhost:" + server.port() + "/api/sampling?service=ranker"))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).as("nothing on the admin port changes state").isEqualTo(405);
    }
  }
}
