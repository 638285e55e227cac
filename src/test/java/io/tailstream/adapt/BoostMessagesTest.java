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
  void roundTripsSmallRatesThatJavaWouldPrintInScientificNotation() {
    for (double sample : new double[] {0.0005, 0.0001, 0.00012345, 0.5, 1}) {
      Boost b = new Boost("inc-5", null, null, null, sample, 1, false, 99_000, null, null, false);
      var parsed = BoostMessages.parse(b.id(), BoostMessages.toJson(b), 50_000, LIMITS);
      assertThat(((BoostMessages.Start) parsed).boost().sample()).as("sample %s", sample).isEqualTo(sample);
    }
  }

  @Test
  void refusesInvalidOrOutOfBoundsMessagesWithTheirReason() {
    String[][] cases = {
        {"{\"action\":\"boost\",\"sample\":\"50%\"}", "'ttl' is required", "INVALID"},
        {"{\"action\":\"boost\",\"sample\":\"50%\",\"ttl\":\"48h\"}", "at most 24h (boosts.max-ttl)", "OUT_OF_BOUNDS"},
        {"{\"action\":\"boost\",\"factor\":50,\"ttl\":\"1h\"}", "at most 10.0 (boosts.max-factor)", "OUT_OF_BOUNDS"},
        {"{\"action\":\"boost\",\"sample\":\"5%\",\"expires-at\":" + (1_000 + 25 * 3_600_000L) + "}",
            "more than boosts.max-ttl (24h) after the record's timestamp", "OUT_OF_BOUNDS"},
        {"{\"action\":\"boost\",\"factor\":2,\"sample\":\"5%\",\"ttl\":\"1h\"}", "exactly one of sample, factor, keep-all", "INVALID"},
        {"{\"action\":\"boost\",\"sample\":\"500%\",\"ttl\":\"1h\"}", "between 0 and 100%", "INVALID"},
        {"{\"action\":\"boost\",\"sample\":\"5%\",\"ttl\":\"1h\",\"scope\":{\"team\":\"x\"}}", "unknown scope field 'team'", "INVALID"},
        {"{\"action\":\"boost\",\"sample\":\"5%\",\"ttl\":\"1h\",\"colour\":\"red\"}", "unknown field 'colour'", "INVALID"},
        {"{\"action\":\"explode\",\"ttl\":\"1h\"}", "'action' must be boost or cancel, got 'explode'", "INVALID"},
        {"{\"action\":\"boost\",\"id\":\"other\",\"sample\":\"5%\",\"ttl\":\"1h\"}", "differs from id 'other'", "INVALID"},
        {"not json at all {", "not JSON", "NOT_JSON"},
        {"[1,2]", "expected a JSON object", "NOT_JSON"},
        {"{\"reason\":\"" + "x".repeat(70_000) + "\"}", "at most 65536 are read", "TOO_LARGE"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse("k", c[0])).as(c[0])
          .isInstanceOfSatisfying(ControlRefusal.class,
              r -> assertThat(r.reason()).isEqualTo(ControlRefusal.Reason.valueOf(c[2])))
          .hasMessageContaining(c[1]);
    }
  }

  @Test
  void nullAndWronglyTypedFieldsAreRefusedNamingTheField() {
    String boost = "{\"action\":\"boost\",\"ttl\":\"1h\",";
    String[][] cases = {
        {boost + "\"sample\":null}", "'sample' must not be null"},
        {boost + "\"sample\":true}", "'sample': expected a rate"},
        {boost + "\"sample\":{}}", "'sample' must be a string, got '{}'"},
        {boost + "\"factor\":null}", "'factor' must be a number, got 'null'"},
        {boost + "\"factor\":[]}", "'factor' must be a number, got '[]'"},
        {boost + "\"factor\":\"lots\"}", "'factor' must be a number"},
        {boost + "\"factor\":NaN}", "'factor' must be above 1, got NaN"},
        {boost + "\"keep-all\":null}", "'keep-all' must be true or false, got 'null'"},
        {boost + "\"keep-all\":{}}", "'keep-all' must be true or false, got '{}'"},
        {boost + "\"keep-all\":[]}", "'keep-all' must be true or false, got '[]'"},
        {boost + "\"keep-all\":\"yes\"}", "'keep-all' must be true or false"},
        {boost + "\"keep-all\":true,\"auto\":null}", "'auto' must be true or false, got 'null'"},
        {boost + "\"keep-all\":true,\"auto\":{}}", "'auto' must be true or false, got '{}'"},
        {boost + "\"keep-all\":true,\"auto\":[]}", "'auto' must be true or false, got '[]'"},
        {boost + "\"keep-all\":true,\"scope\":null}", "'scope' must be an object"},
        {boost + "\"keep-all\":true,\"scope\":{\"service\":[1]}}", "'service' must be a string"},
        {boost + "\"keep-all\":true,\"reason\":{\"a\":1}}", "'reason' must be a string"},
        {"{\"action\":\"boost\",\"keep-all\":true,\"ttl\":5}", "'ttl': expected a duration"},
        {"{\"action\":\"boost\",\"keep-all\":true,\"ttl\":\"0s\"}", "'ttl' must be above 0"},
        {"{\"action\":\"boost\",\"keep-all\":true,\"expires-at\":\"soon\"}", "'expires-at' must be a number"},
        {"{\"action\":\"boost\",\"keep-all\":true,\"expires-at\":1.5}", "'expires-at' must be a whole number"},
        {"{\"action\":\"boost\",\"keep-all\":true,\"expires-at\":1e400}", "'expires-at' must be a whole number"},
        {"{\"action\":[],\"keep-all\":true,\"ttl\":\"1h\"}", "'action' must be a string"},
        {"{\"action\":\"boost\",\"id\":{},\"keep-all\":true,\"ttl\":\"1h\"}", "'id' must be a string"},
    };
    for (String[] c : cases) {
      assertThatThrownBy(() -> parse("k", c[0])).as(c[0])
          .isInstanceOfSatisfying(ControlRefusal.class,
              r -> assertThat(r.reason()).isEqualTo(ControlRefusal.Reason.INVALID))
          .hasMessageContaining(c[1]);
    }
  }

  @Test
  void aRecordWithoutAKeyIsRefusedEvenWithAnIdBecauseRestartsWouldNotSeeIt() {
    for (String json : new String[] {
        "{\"action\":\"boost\",\"id\":\"inc-1\",\"sample\":\"50%\",\"ttl\":\"30m\"}",
        "{\"action\":\"cancel\",\"id\":\"inc-1\"}", null}) {
      assertThatThrownBy(() -> parse(null, json)).as(json)
          .isInstanceOfSatisfying(ControlRefusal.class,
              r -> assertThat(r.reason()).isEqualTo(ControlRefusal.Reason.NO_KEY))
          .hasMessageContaining("no record key").hasMessageContaining("parse.key=true");
    }
  }

  @Test
  void aTtlCountsFromTheRecordsTimestampButNeverFromLaterThanItsReading() {
    String json = "{\"action\":\"boost\",\"sample\":\"50%\",\"ttl\":\"30m\"}";
    long read = 1_800_000_000_000L;
    long thirtyMinutes = 30 * 60_000;
    // A replay after a restart: counted from when it was written, not extended.
    assertThat(expiry(json, read - 20 * 60_000, read)).isEqualTo(read + 10 * 60_000);
    // Stamped ten years ahead: counted from its reading.
    long tenYears = Duration.ofDays(3650).toMillis();
    assertThat(expiry(json, read + tenYears, read)).isEqualTo(read + thirtyMinutes);
    assertThat(expiry(json, Long.MAX_VALUE, read)).isEqualTo(read + thirtyMinutes);
    assertThatThrownBy(() -> expiry(json, -1, read)).hasMessageContaining("no timestamp (-1)");
  }

  @Test
  void anExpiresAtIsCheckedOnTheWritersClockAndCappedAtMaxTtlAfterTheReading() {
    long read = 1_800_000_000_000L;
    long day = Duration.ofHours(24).toMillis();
    // The writer's clock is a minute ahead; it asks for the whole max-ttl.
    long written = read + 60_000;
    String json = "{\"action\":\"boost\",\"sample\":\"50%\",\"expires-at\":" + (written + day) + "}";
    assertThat(expiry(json, written, read)).isEqualTo(read + day);
    // A forged timestamp and expiry years ahead: still at most max-ttl after the reading.
    long far = read + Duration.ofDays(3650).toMillis();
    String forged = "{\"action\":\"boost\",\"sample\":\"50%\",\"expires-at\":" + (far + day) + "}";
    assertThat(expiry(forged, far, read)).isEqualTo(read + day);
  }

  private static long expiry(String json, long writtenAt, long readAt) {
    var c = BoostMessages.parse("k", json.getBytes(StandardCharsets.UTF_8), writtenAt, readAt, LIMITS);
    return ((BoostMessages.Start) c).boost().expiresAtMs();
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
