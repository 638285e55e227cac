package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BoostMessagesTest {
  private static final BoostMessages.Limits LIMITS =
      new BoostMessages.Limits(10, Duration.ofHours(24), 5);

  private static BoostMessages.Command parse(String key, String json) {
    return BoostMessages.parse(key, json == null ? null : json.getBytes(StandardCharsets.UTF_8), 1_000, LIMITS);
  }

  @Test
  void theDocumentedExample() {
    var c = parse("inc-4211", """
        {"action":"boost","id":"inc-4211","scope":{"service":"ranker","model":"ranker-v3","rule":"baseline"},
         "sample":"50%","ttl":"30m","reason":"INC-4211 ranker latency","by":"oncall"}""");
    Boost b = ((BoostMessages.Start) c).boost();
    assertThat(b).isEqualTo(new Boost("inc-4211", "ranker", "ranker-v3", "baseline", 0.5, 1, false,
        1_000 + 30 * 60_000, "INC-4211 ranker latency", "oncall", false));
    assertThat(b.scopeKey()).isEqualTo("service=ranker,model=ranker-v3,rule=baseline");
    assertThat(b.boostedRate(0.01)).isEqualTo(0.5);
    assertThat(b.boostedRate(0.9)).isEqualTo(0.9);
  }

  @Test
  void factorKeepAllAndEmptyScope() {
    Boost f = ((BoostMessages.Start) parse("x", "{\"action\":\"boost\",\"factor\":4,\"ttl\":\"1h\"}")).boost();
    assertThat(f.id()).isEqualTo("x");
    assertThat(f.scopeKey()).isEqualTo("all");
    assertThat(f.boostedRate(0.01)).isEqualTo(0.04);
    assertThat(f.boostedRate(0.5)).isEqualTo(1.0);
    Boost k = ((BoostMessages.Start) parse("y", "{\"action\":\"boost\",\"id\":\"y\",\"keep-all\":true,\"ttl\":\"5m\"}")).boost();
    assertThat(k.boostedRate(0)).isEqualTo(1.0);
  }

  @Test
  void cancelsByMessageOrTombstone() {
    assertThat(parse("inc-1", "{\"action\":\"cancel\",\"id\":\"inc-1\"}")).isEqualTo(new BoostMessages.Cancel("inc-1"));
    assertThat(parse("inc-1", null)).isEqualTo(new BoostMessages.Cancel("inc-1"));
  }

  @Test
  void roundTripsThroughTheJsonTailstreamWrites() {
    Boost b = new Boost("auto-service-ranker", "ranker", null, null, 0.5, 1, false, 99_000, "spike", "tailstream", true);
    var parsed = BoostMessages.parse(b.id(), BoostMessages.toJson(b), 50_000, LIMITS);
    assertThat(((BoostMessages.Start) parsed).boost()).isEqualTo(b);
  }

  @Test
  void refusesInvalidOrOutOfBoundsMessages() {
    String[][] cases = {
        {"{\"action\":\"boost\",\"sample\":\"50%\"}", "'ttl' is required"},
        {"{\"action\":\"boost\",\"sample\":\"50%\",\"ttl\":\"48h\"}", "at most 24h (boosts.max-ttl)"},
        {"{\"action\":\"boost\",\"factor\":50,\"ttl\":\"1h\"}", "at most 10.0 (boosts.max-factor)"},
        {"{\"action\":\"boost\",\"factor\":2,\"sample\":\"5%\",\"ttl\":\"1h\"}", "exactly one of sample, factor, keep-all"},
        {"{\"action\":\"boost\",\"sample\":\"500%\",\"ttl\":\"1h\"}", "between 0 and 100%"},
        {"{\"action\":\"boost\",\"sample\":\"5%\",\"ttl\":\"1h\",\"scope\":{\"team\":\"x\"}}", "unknown scope field 'team'"},
        {"{\"action\":\"boost\",\"sample\":\"5%\",\"ttl\":\"1h\",\"colour\":\"red\"}", "unknown field 'colour'"},
        {"{\"action\":\"explode\",\"ttl\":\"1h\"}", "'action' must be boost or cancel"},
        {"{\"action\":\"boost\",\"id\":\"other\",\"sample\":\"5%\",\"ttl\":\"1h\"}", "differs from id 'other'"},
        {"not json at all {", "not JSON"},
        {"[1,2]", "expected a JSON object"},
        {"{\"reason\":\"" + "x".repeat(70_000) + "\"}", "at most 65536 are read"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse("k", c[0])).as(c[0])
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(c[1]);
    }
  }

  @Test
  void tableBoundsConcurrencyAndExpires() {
    BoostTable table = new BoostTable(2);
    java.util.List<BoostTable.Change> changes = new java.util.ArrayList<>();
    table.onChange(changes::add);
    table.put(new Boost("a", null, null, null, 0.5, 1, false, 100, null, null, false), 0);
    table.put(new Boost("b", null, null, null, 0.5, 1, false, 200, null, null, false), 0);
    assertThatThrownBy(() -> table.put(new Boost("c", null, null, null, 0.5, 1, false, 300, null, null, false), 0))
        .hasMessageContaining("already 2 active boosts");
    table.put(new Boost("b", null, null, null, 0.9, 1, false, 250, null, null, false), 0);
    assertThat(table.active(150)).extracting(Boost::id).containsExactly("b");
    table.expire(150);
    assertThat(changes).hasSize(4);
    assertThat(changes.get(3)).isEqualTo(new BoostTable.Change(changes.get(0).after(), null));
    table.remove("b", 160);
    assertThat(table.active(160)).isEmpty();
  }
}
