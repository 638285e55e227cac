package io.tailstream.decide;

import static io.tailstream.testing.Spans.attr;
import static io.tailstream.testing.Spans.error;
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
import org.junit.jupiter.api.Test;

/** Every rule type, from real spans through the extractor to a decision. */
class RuleTypesTest {
  private static final byte[] ID = traceId(42);

  /** gateway root GET /v1/predict (tenant=vip, batch 64) → model-server inference 350ms (ranker-v3). */
  private static TracesData trace() {
    ResourceSpans gateway = resource("gateway", "http",
        span(ID, 1, null, "POST /v1/predict", 0, 600).setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .addAttributes(attr("tenant", "vip"))
            .addAttributes(KeyValue.newBuilder().setKey("batch.size")
                .setValue(AnyValue.newBuilder().setIntValue(64)))
            .addAttributes(KeyValue.newBuilder().setKey("cache.hit")
                .setValue(AnyValue.newBuilder().setBoolValue(true)))
            .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_OK))
            .setTraceState("ot=rv:0123456789abcd,acme=gold"));
    ResourceSpans model = resource("model-server", "inference",
        model(span(ID, 2, 1, "inference", 100, 350).setKind(Span.SpanKind.SPAN_KIND_SERVER), "ranker-v3"));
    return TracesData.newBuilder().addResourceSpans(gateway).addResourceSpans(model).build();
  }

  /** The decision of a single rule "r" on the trace: true when it keeps. */
  private static boolean keeps(String condition) {
    return keeps(condition, trace());
  }

  private static boolean keeps(String condition, TracesData data) {
    Decider d = Decider.compile(RulesParser.parse("rules:\n  - name: r\n    keep: " + condition + "\n", "r.yaml"));
    TraceFacts facts = d.extractor().extract(data, data.getSerializedSize(), 0);
    return d.decide(facts, ID, 0).kept();
  }

  @Test
  void status() {
    assertThat(keeps("{ status: OK }")).isTrue();
    assertThat(keeps("{ status: [ERROR] }")).isFalse();
    assertThat(keeps("{ status: { codes: [OK], scope: root } }")).isTrue();
    assertThat(keeps("{ status: { codes: [UNSET], scope: root } }")).isFalse();
    assertThat(keeps("{ status: { codes: [OK], scope: all-spans } }")).isFalse();
    assertThat(keeps("{ status: { codes: [OK, UNSET], scope: all-spans } }")).isTrue();
  }

  @Test
  void errorAndLatencyAndSpanCount() {
    assertThat(keeps("{ error: false }")).isTrue();
    assertThat(keeps("{ latency: \"500ms..700ms\" }")).isTrue();
    assertThat(keeps("{ latency: \"> 600ms\" }")).isFalse();
    assertThat(keeps("{ span-count: { min: 2 } }")).isTrue();
    assertThat(keeps("{ span-count: { min: 3 } }")).isFalse();
    assertThat(keeps("{ span-count: { max: 1 } }")).isFalse();
  }

  @Test
  void spanLatencyGivesAStageItsOwnLimit() {
    assertThat(keeps("{ span-latency: { name: inference, service: model-server, above: 300ms } }")).isTrue();
    assertThat(keeps("{ span-latency: { name: inference, above: 350ms } }")).isFalse();
    assertThat(keeps("{ span-latency: { service: gateway, kind: SERVER, above: 500ms } }")).isTrue();
    assertThat(keeps("{ span-latency: { name: inference, kind: CLIENT, above: 1ms } }")).isFalse();
  }

  @Test
  void stringAttributeTests() {
    assertThat(keeps("{ attribute: { key: tenant, equals: vip } }")).isTrue();
    assertThat(keeps("{ attribute: { key: tenant, equals: free } }")).isFalse();
    assertThat(keeps("{ attribute: { key: tenant, in: [gold, vip] } }")).isTrue();
    assertThat(keeps("{ attribute: { key: tenant, prefix: v } }")).isTrue();
    assertThat(keeps("{ attribute: { key: tenant, regex: \"v.p\" } }")).isTrue();
    assertThat(keeps("{ attribute: { key: tenant, regex: \"v\" } }")).as("whole value").isFalse();
    assertThat(keeps("{ attribute: { key: batch.size, equals: \"64\" } }")).as("int as text").isTrue();
  }

  @Test
  void numericBooleanAndExistsTests() {
    assertThat(keeps("{ attribute: { key: batch.size, number: \">= 64\" } }")).isTrue();
    assertThat(keeps("{ attribute: { key: batch.size, number: \"> 64\" } }")).isFalse();
    assertThat(keeps("{ attribute: { key: batch.size, number: \"32..128\" } }")).isTrue();
    assertThat(keeps("{ attribute: { key: tenant, number: \"> 0\" } }")).as("not a number").isFalse();
    assertThat(keeps("{ attribute: { key: cache.hit, bool: true } }")).isTrue();
    assertThat(keeps("{ attribute: { key: cache.hit, bool: false } }")).isFalse();
    assertThat(keeps("{ attribute: { key: gen_ai.request.model, exists: true } }")).isTrue();
    assertThat(keeps("{ attribute: { key: user.id, exists: true } }")).isFalse();
    assertThat(keeps("{ attribute: { key: user.id, exists: false } }")).isTrue();
  }

  @Test
  void attributeScopes() {
    assertThat(keeps("{ attribute: { key: tenant, equals: vip, scope: root } }")).isTrue();
    assertThat(keeps("{ attribute: { key: gen_ai.request.model, exists: true, scope: root } }")).isFalse();
    assertThat(keeps("{ attribute: { key: tenant, equals: vip, scope: all-spans } }")).isFalse();
    assertThat(keeps("{ resource-attribute: { key: service.name, prefix: model } }")).isTrue();
    assertThat(keeps("{ resource-attribute: { key: service.name, prefix: g, scope: all-spans } }")).isFalse();
  }

  @Test
  void serviceSpanNameAndTraceState() {
    assertThat(keeps("{ service: model-server }")).isTrue();
    assertThat(keeps("{ service: [billing, search] }")).isFalse();
    assertThat(keeps("{ service: { in: [gateway], scope: root } }")).isTrue();
    assertThat(keeps("{ service: { equals: model-server, scope: root } }")).isFalse();
    assertThat(keeps("{ span-name: \"POST /v1/predict\" }")).isTrue();
    assertThat(keeps("{ span-name: { in: [inference], scope: root } }")).isFalse();
    assertThat(keeps("{ trace-state: { key: acme, equals: gold } }")).isTrue();
    assertThat(keeps("{ trace-state: { key: acme, in: [silver] } }")).isFalse();
    assertThat(keeps("{ trace-state: { key: other, exists: false } }")).isTrue();
  }

  @Test
  void traceFlagsTestTheW3cSampledBitOfAnySpan() {
    // The fixture's spans carry no flags: nothing was head-sampled.
    assertThat(keeps("{ trace-flags: { sampled: true } }")).isFalse();
    assertThat(keeps("{ trace-flags: { sampled: false } }")).isTrue();
    TracesData flagged = trace().toBuilder()
        .addResourceSpans(resource("worker", "jobs", span(ID, 3, 2, "post", 400, 450).setFlags(0x101)))
        .build();
    assertThat(keeps("{ trace-flags: { sampled: true } }", flagged)).isTrue();
    TracesData otherBits = trace().toBuilder()
        .addResourceSpans(resource("worker", "jobs", span(ID, 3, 2, "post", 400, 450).setFlags(0x100)))
        .build();
    assertThat(keeps("{ trace-flags: { sampled: true } }", otherBits)).as("only the low bit counts").isFalse();
  }

  @Test
  void composites() {
    assertThat(keeps("{ all-of: [ { service: gateway }, { attribute: { key: tenant, equals: vip } } ] }")).isTrue();
    assertThat(keeps("{ all-of: [ { service: gateway }, { error: true } ] }")).isFalse();
    assertThat(keeps("{ any-of: [ { error: true }, { latency: \"> 500ms\" } ] }")).isTrue();
    assertThat(keeps("{ not: { error: true } }")).isTrue();
    assertThat(keeps("{ not: { not: { error: true } } }")).isFalse();
    assertThat(keeps("{ any-of: [ { not: { service: gateway } }, { all-of: [ { error: false }, { span-count: { max: 1 } } ] } ] }")).isFalse();
  }

  @Test
  void ruleLevelWorkTogether() {
    TracesData failing = TracesData.newBuilder().addResourceSpans(
        resource("svc", "s", error(span(ID, 1, null, "x", 0, 1)))).build();
    assertThat(keeps("{ error: true, service: svc }", failing)).isTrue();
    assertThat(keeps("{ error: true, service: other }", failing)).isFalse();
  }

  @Test
  void defaultKeepAppliesWhenNoRuleDecides() {
    Decider d = Decider.compile(RulesParser.parse(
        "default: keep\nrules:\n  - name: noise\n    drop: { span-name: ping }\n", "r.yaml"));
    TracesData data = trace();
    Decision decision = d.decide(d.extractor().extract(data, 1, 0), ID, 0);
    assertThat(decision.kept()).isTrue();
    assertThat(decision.rule()).isEqualTo(Decision.NO_RULE);
    assertThat(decision.rulesVersion()).isEqualTo(d.version()).hasSize(8);
  }

  @Test
  void factsFromOtherRulesAreRecognized() {
    Decider a = Decider.compile(RulesParser.parse("rules:\n  - name: r\n    keep: { service: a }\n", "r.yaml"));
    Decider b = Decider.compile(RulesParser.parse("rules:\n  - name: r\n    keep: { service: b }\n", "r.yaml"));
    Decider sameFeatures = Decider.compile(RulesParser.parse(
        "rules:\n  - name: renamed\n    keep: { service: a }\n    sample: 50%\n", "r.yaml"));
    TraceFacts facts = a.extractor().extract(trace(), 1, 0);
    assertThat(a.understands(facts)).isTrue();
    assertThat(b.understands(facts)).isFalse();
    assertThat(sameFeatures.understands(facts)).isTrue();
    assertThat(facts.merge(b.extractor().extract(trace(), 1, 0)).featureSetId())
        .isEqualTo(TraceFacts.STALE_FEATURES);
  }
}
