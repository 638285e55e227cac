package io.tailstream.decide;

import static io.tailstream.testing.Spans.attr;
import static io.tailstream.testing.Spans.model;
import static io.tailstream.testing.Spans.resource;
import static io.tailstream.testing.Spans.span;
import static io.tailstream.testing.Spans.traceId;
import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.rules.RulesParser;
import io.tailstream.rules.ottl.OttlExpr;
import org.junit.jupiter.api.Test;

/** {@code ottl:} conditions from real spans through the extractor to a decision. */
class OttlConditionTest {
  private static final byte[] ID = traceId(77);

  /**
   * gateway root POST /v1/predict (SERVER, http.status_code 503 as an int, "retries" "3" as a
   * string, ratio 0.25, tracestate acme=gold, an "exception" event) → model-server inference
   * 350 ms (ranker-v3, status ERROR).
   */
  private static TracesData trace() {
    ResourceSpans gateway = resource("gateway", "http",
        span(ID, 1, null, "POST /v1/predict", 0, 600).setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .addAttributes(number("http.status_code", 503))
            .addAttributes(attr("retries", "3"))
            .addAttributes(KeyValue.newBuilder().setKey("ratio").setValue(AnyValue.newBuilder().setDoubleValue(0.25)))
            .addAttributes(KeyValue.newBuilder().setKey("cache.hit").setValue(AnyValue.newBuilder().setBoolValue(true)))
            .setTraceState("ot=rv:0123456789abcd,acme=gold")
            .addEvents(Span.Event.newBuilder().setName("exception")
                .addAttributes(attr("exception.type", "TimeoutError"))));
    ResourceSpans model = resource("model-server", "inference",
        model(span(ID, 2, 1, "inference", 100, 450).setKind(Span.SpanKind.SPAN_KIND_INTERNAL), "ranker-v3")
            .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("timeout")));
    return TracesData.newBuilder().addResourceSpans(gateway).addResourceSpans(model).build();
  }

  private static KeyValue number(String key, long value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setIntValue(value)).build();
  }

  private static boolean keeps(String ottl) {
    Decider d = Decider.compile(RulesParser.parse("rules:\n  - name: r\n    keep:\n      ottl: " + ottl + "\n", "r.yaml"));
    TracesData data = trace();
    TraceFacts facts = d.extractor().extract(data, data.getSerializedSize(), 0);
    return d.decide(facts, ID, 0).kept();
  }

  @Test
  void attributesCompareAsOttlDoesAcrossTypes() {
    assertThat(keeps("[ 'attributes[\"http.status_code\"] >= 500' ]")).isTrue();
    assertThat(keeps("[ 'attributes[\"http.status_code\"] > 503' ]")).isFalse();
    assertThat(keeps("[ 'attributes[\"http.status_code\"] == 503.0' ]")).as("int vs float as numbers").isTrue();
    // A string "3" is not the int 3: different types are only "not equal".
    assertThat(keeps("[ 'attributes[\"retries\"] == 3' ]")).isFalse();
    assertThat(keeps("[ 'attributes[\"retries\"] != 3 and attributes[\"retries\"] == \"3\"' ]")).isTrue();
    assertThat(keeps("[ 'Int(attributes[\"retries\"]) >= 3' ]")).as("Int converts the string").isTrue();
    assertThat(keeps("[ 'attributes[\"ratio\"] < 0.5 and attributes[\"cache.hit\"] == true' ]")).isTrue();
  }

  @Test
  void aMissingAttributeIsNil() {
    assertThat(keeps("[ 'attributes[\"absent\"] == nil' ]")).isTrue();
    assertThat(keeps("[ 'attributes[\"absent\"] > 0' ]")).isFalse();
    assertThat(keeps("[ 'attributes[\"absent\"] != \"x\"' ]")).isTrue();
    assertThat(keeps("[ 'resource.attributes[\"service.name\"] == \"model-server\"' ]")).isTrue();
  }

  @Test
  void spanFieldsAndEnums() {
    assertThat(keeps("[ 'status.code == STATUS_CODE_ERROR and name == \"inference\"' ]")).isTrue();
    assertThat(keeps("[ 'status.code == STATUS_CODE_ERROR and name == \"POST /v1/predict\"' ]"))
        .as("one span must satisfy the whole condition").isFalse();
    assertThat(keeps("[ 'kind == SPAN_KIND_SERVER and status.message == \"\"' ]")).isTrue();
    assertThat(keeps("[ 'status.message == \"timeout\"' ]")).isTrue();
    assertThat(keeps("[ 'trace_state[\"acme\"] == \"gold\"' ]")).isTrue();
    assertThat(keeps("[ 'trace_state[\"other\"] != nil' ]")).isFalse();
  }

  @Test
  void durationsFromTimestampArithmetic() {
    // The inference span ran 350 ms; the root 600 ms.
    assertThat(keeps("[ 'end_time_unix_nano - start_time_unix_nano > 300000000 and name == \"inference\"' ]")).isTrue();
    assertThat(keeps("[ '(end_time_unix_nano - start_time_unix_nano) / 1000000 >= 600' ]")).isTrue();
    assertThat(keeps("[ '(end_time_unix_nano - start_time_unix_nano) / 1000000 > 600' ]")).isFalse();
    assertThat(keeps("[ 'end_time_unix_nano / 0 == nil' ]")).as("division by zero is nil").isTrue();
  }

  @Test
  void booleanOperatorsAndConverters() {
    assertThat(keeps("[ 'IsMatch(name, \"^POST /v1/.*\") and not IsMatch(name, \"healthz\")' ]")).isTrue();
    assertThat(keeps("[ 'IsMatch(attributes[\"http.status_code\"], \"^5\")' ]")).as("numbers match as text").isTrue();
    assertThat(keeps("[ 'IsString(attributes[\"retries\"]) and IsInt(attributes[\"http.status_code\"])"
        + " and IsDouble(attributes[\"ratio\"]) and IsBool(attributes[\"cache.hit\"])' ]")).isTrue();
    assertThat(keeps("[ 'IsString(attributes[\"http.status_code\"])' ]")).isFalse();
    assertThat(keeps("[ 'name == \"x\" or name == \"inference\" and kind == SPAN_KIND_INTERNAL' ]"))
        .as("and binds tighter than or").isTrue();
    assertThat(keeps("[ '(name == \"x\" or name == \"inference\") and kind == SPAN_KIND_SERVER' ]")).isFalse();
    assertThat(keeps("[ 'false', 'name == \"inference\"' ]")).as("any of the list").isTrue();
  }

  @Test
  void spanEventConditionsLookAtEachEvent() {
    assertThat(keeps("{ spanevent: [ 'name == \"exception\" and attributes[\"exception.type\"] == \"TimeoutError\"' ] }"))
        .isTrue();
    assertThat(keeps("{ spanevent: [ 'name == \"exception\" and span.name == \"POST /v1/predict\"' ] }")).isTrue();
    assertThat(keeps("{ spanevent: [ 'name == \"exception\" and span.name == \"inference\"' ] }")).isFalse();
    assertThat(keeps("{ span: [ 'name == \"nope\"' ], spanevent: [ 'name == \"retry\"' ] }")).isFalse();
  }

  @Test
  void conditionsThatDifferOnlyInALiteralsTypeDoNotShareAFeature() {
    Decider d = Decider.compile(RulesParser.parse("""
        rules:
          - name: as-int
            keep: { ottl: [ 'attributes["retries"] == 3' ] }
          - name: as-text
            keep: { ottl: [ 'attributes["retries"] == "3"' ] }
        """, "r.yaml"));
    TracesData data = trace();
    TraceFacts facts = d.extractor().extract(data, data.getSerializedSize(), 0);
    assertThat(facts.features()).hasSize(2);
    assertThat(d.decide(facts, ID, 0).rule()).as("the string \"3\" is not the int 3").isEqualTo("as-text");
  }

  @Test
  void nanComparesAsGoDoesFalseForEverythingButNotEqual() {
    for (OttlExpr.CompareOp op : OttlExpr.CompareOp.values()) {
      assertThat(OttlCompiler.compare(op, Double.NaN, Double.NaN)).as(op.name()).isEqualTo(op == OttlExpr.CompareOp.NE);
      assertThat(OttlCompiler.compare(op, Double.NaN, 1L)).as(op.name()).isEqualTo(op == OttlExpr.CompareOp.NE);
    }
    assertThat(OttlCompiler.compare(OttlExpr.CompareOp.EQ, -0.0, 0L)).isTrue();
  }

  @Test
  void equalConditionsShareOneFeature() {
    Decider d = Decider.compile(RulesParser.parse("""
        rules:
          - name: a
            keep: { ottl: [ 'name == "x"' ] }
          - name: b
            keep: { ottl: [ 'name  ==  "x"' ], error: true }
        """, "r.yaml"));
    TracesData data = trace();
    assertThat(d.extractor().extract(data, data.getSerializedSize(), 0).features()).hasSize(1);
  }
}
