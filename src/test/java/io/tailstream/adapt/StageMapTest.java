package io.tailstream.adapt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageMapTest {
  private final StageMap defaults = StageMap.defaults();

  private static Span span(String name, String... attributes) {
    Span.Builder b = Span.newBuilder().setName(name);
    for (int i = 0; i < attributes.length; i += 2) {
      b.addAttributes(KeyValue.newBuilder().setKey(attributes[i])
          .setValue(AnyValue.newBuilder().setStringValue(attributes[i + 1])));
    }
    return b.build();
  }

  private String stage(StageMap map, Span span, String service, boolean root) {
    return map.stages().get(map.classify(span, service, root));
  }

  private String stage(Span span, String service) {
    return stage(defaults, span, service, false);
  }

  @Test
  void defaultsClassifyTheDemoPipeline() {
    // The services and span names of loadgen.PipelineSimulator and workload.InferenceWorkload.
    assertThat(stage(defaults, span("POST /v1/predict"), "gateway", true)).isEqualTo("request");
    assertThat(stage(span("GET /features"), "feature-store")).isEqualTo("feature-retrieval");
    assertThat(stage(span("preprocess"), "preprocessor")).isEqualTo("preprocessing");
    assertThat(stage(span("inference ranker-v3", "gen_ai.request.model", "ranker-v3",
        "gen_ai.operation.name", "inference"), "model-server")).isEqualTo("inference");
    assertThat(stage(span("ensemble"), "ensembler")).isEqualTo("ensemble");
    assertThat(stage(span("postprocess"), "postprocessor")).isEqualTo("post-processing");
    assertThat(stage(span("GET /healthz"), "gateway")).isEqualTo("other");
  }

  @Test
  void defaultsFollowTheGenAiConventionsAndCommonServingNames() {
    assertThat(stage(span("chat gpt-4o", "gen_ai.operation.name", "chat"), "api")).isEqualTo("inference");
    assertThat(stage(span("embeddings", "gen_ai.operation.name", "embeddings"), "api")).isEqualTo("inference");
    // A tool call is not an inference: no model, an operation the defaults do not list.
    assertThat(stage(span("execute_tool search", "gen_ai.operation.name", "execute_tool"), "agent"))
        .isEqualTo("other");
    assertThat(stage(span("get_online_features"), "Feast-Server")).isEqualTo("feature-retrieval");
    assertThat(stage(span("ModelInfer"), "tritonserver")).isEqualTo("inference");
    assertThat(stage(span("predict"), "sklearn-iris-predictor")).isEqualTo("inference");
    assertThat(stage(span("Post-Process output"), "api")).isEqualTo("post-processing");
    // The ensemble rule comes before the model attribute: an ensemble span naming its model.
    assertThat(stage(span("ensemble", "gen_ai.request.model", "blend-v1"), "model-server"))
        .isEqualTo("ensemble");
  }

  @Test
  void theFirstMatchingRuleWinsAndEveryConditionOfARuleMustHold() {
    StageMap map = StageMap.of(List.of(
        new StageRule("retrieval", false, "db.system", List.of("qdrant"), List.of("rag"), List.of()),
        new StageRule("db", false, "db.system", List.of(), List.of(), List.of()),
        new StageRule("request", true, null, List.of(), List.of(), List.of())));
    assertThat(map.stages()).containsExactly("retrieval", "db", "request", "other");
    assertThat(stage(map, span("search", "db.system", "qdrant"), "rag-api", false)).isEqualTo("retrieval");
    assertThat(stage(map, span("search", "db.system", "qdrant"), "billing", false)).isEqualTo("db");
    assertThat(stage(map, span("search", "db.system", "postgresql"), "rag-api", false)).isEqualTo("db");
    // A root span with db.system is "db": the rule before the root rule matched first.
    assertThat(stage(map, span("q", "db.system", "x"), "s", true)).isEqualTo("db");
    assertThat(stage(map, span("q"), "s", true)).isEqualTo("request");
    assertThat(stage(map, span("q"), null, false)).isEqualTo("other");
    assertThat(map.other()).isEqualTo(3);
  }

  @Test
  void namesMatchIgnoringAsciiCaseAnywhereInTheName() {
    byte[][] fragments = {"feature".getBytes()};
    assertThat(StageMap.containsAny(com.google.protobuf.ByteString.copyFromUtf8("GET /FeatureS"), fragments)).isTrue();
    assertThat(StageMap.containsAny(com.google.protobuf.ByteString.copyFromUtf8("featur"), fragments)).isFalse();
    assertThat(StageMap.containsAny(com.google.protobuf.ByteString.EMPTY, fragments)).isFalse();
    assertThat(StageMap.containsAny("my-FEAST", new String[] {"feast"})).isTrue();
    assertThat(StageMap.containsAny("fea", new String[] {"feast"})).isFalse();
  }

  @Test
  void anAttributeWithValuesMatchesOnlyStringValuesAmongThem() {
    StageMap map = StageMap.of(List.of(new StageRule("llm", false, "gen_ai.operation.name",
        List.of("chat"), List.of(), List.of())));
    Span intValue = Span.newBuilder().setName("x").addAttributes(KeyValue.newBuilder()
        .setKey("gen_ai.operation.name").setValue(AnyValue.newBuilder().setIntValue(1))).build();
    assertThat(stage(map, intValue, "s", false)).isEqualTo("other");
    assertThat(stage(map, span("x", "gen_ai.operation.name", "chat"), "s", false)).isEqualTo("llm");
    assertThat(stage(map, span("x", "gen_ai.operation.name", "chatter"), "s", false)).isEqualTo("other");
  }

  @Test
  void rulesThatCannotWorkAreRefusedWithTheReason() {
    assertThatThrownBy(() -> new StageRule("Inference", false, "a", List.of(), List.of(), List.of()))
        .hasMessageContaining("'Inference'").hasMessageContaining("lower case");
    assertThatThrownBy(() -> new StageRule("x", false, null, List.of(), List.of(), List.of()))
        .hasMessageContaining("matches every span");
    assertThatThrownBy(() -> new StageRule("x", false, null, List.of("v"), List.of("s"), List.of()))
        .hasMessageContaining("need an attribute");
    assertThatThrownBy(() -> new StageRule("x", false, null, List.of(), List.of(""), List.of()))
        .hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> new StageRule("other", true, null, List.of(), List.of(), List.of()))
        .hasMessageContaining("what no rule matched");
  }

  @Test
  void servicesPastTheCacheAreStillClassified() {
    for (int i = 0; i < StageMap.MAX_CACHED_SERVICES + 10; i++) {
      assertThat(stage(span("x"), "feature-store-" + i)).isEqualTo("feature-retrieval");
      assertThat(stage(span("x"), "gateway-" + i)).isEqualTo("other");
    }
    assertThat(stage(span("x"), "feature-store-0")).isEqualTo("feature-retrieval");
  }

  @Test
  void aMappingHasOneToSixtyFourRules() {
    StageRule r = new StageRule("a", true, null, List.of(), List.of(), List.of());
    assertThatThrownBy(() -> StageMap.of(List.of())).hasMessageContaining("not 0");
    assertThatThrownBy(() -> StageMap.of(java.util.Collections.nCopies(65, r))).hasMessageContaining("not 65");
    assertThat(StageMap.of(java.util.Collections.nCopies(64, r)).stages()).containsExactly("a", "other");
  }

  @Test
  void adaptiveStateClassifiesSpansOnlyOnceGivenAnObserver() {
    AdaptiveState adaptive = AdaptiveState.standalone();
    List<String> seen = new ArrayList<>();
    adaptive.observeSpan(span("preprocess"), "preprocessor", false, null, 5, false);
    assertThat(seen).isEmpty();
    adaptive.observeStagesWith(defaults, (service, stage, model, nanos, error) ->
        seen.add(service + "/" + defaults.stages().get(stage) + "/" + model + "/" + nanos + "/" + error));
    adaptive.observeSpan(span("preprocess"), "preprocessor", false, null, 5, true);
    adaptive.observeSpan(span("inference m"), "model-server", false, "m", 7, false);
    assertThat(seen).containsExactly("preprocessor/preprocessing/null/5/true",
        "model-server/inference/m/7/false");
  }
}
