package io.tailstream.decide;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.adapt.AdaptiveState;
import io.tailstream.adapt.StageMap;
import io.tailstream.rules.RulesParser;
import io.tailstream.testing.Spans;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What producers send is bounded where it enters the summary, whatever its size. */
class FactsExtractorTest {
  private static final byte[] T = Spans.traceId(7);

  private static FactsExtractor extractor() {
    return Decider.compile(RulesParser.parse("""
        rules:
          - name: dynamic
            sample: { dynamic: { key: [http.route], goal: 2% } }
        """, "r.yaml")).extractor();
  }

  @Test
  void longNamesAndKeyValuesAreCutWithAMarker() {
    String huge = "n".repeat(70_000);
    TracesData fragment = TracesData.newBuilder().addResourceSpans(Spans.resource(huge, "scope",
        Spans.model(Spans.span(T, 1, null, "root", 0, 10), huge)
            .addAttributes(Spans.attr("http.route", huge)))).build();
    TraceFacts facts = extractor().extract(fragment, 100, 0);
    String service = facts.services().iterator().next();
    assertThat(service).hasSize(TraceFacts.MAX_NAME_CHARS).endsWith("\u2026").startsWith("nnnn");
    assertThat(facts.modelMaxNanos().keySet()).singleElement()
        .satisfies(m -> assertThat(m).hasSize(TraceFacts.MAX_NAME_CHARS).endsWith("\u2026"));
    assertThat(facts.keyAttributes().get("http.route")).hasSize(TraceFacts.MAX_NAME_CHARS);
  }

  @Test
  void aFirstFragmentKeepsAtMostMaxNamesServicesAndModels() {
    TracesData.Builder fragment = TracesData.newBuilder();
    for (int i = 0; i < 40_000; i++) {
      ResourceSpans rs = Spans.resource("service-" + i, "scope",
          Spans.model(Spans.span(T, i + 1, i == 0 ? null : 1, "op", 0, 10), "model-" + i));
      fragment.addResourceSpans(rs);
    }
    TraceFacts facts = extractor().extract(fragment.build(), 1_000_000, 0);
    assertThat(facts.spanCount()).isEqualTo(40_000);
    assertThat(facts.services()).hasSize(TraceFacts.MAX_NAMES);
    assertThat(facts.modelMaxNanos()).hasSize(TraceFacts.MAX_NAMES);
  }

  @Test
  void newSpansReachTheStageObserverWithRootModelAndErrorButRecomputedOnesDoNot() {
    AdaptiveState adaptive = AdaptiveState.standalone();
    StageMap map = StageMap.defaults();
    List<String> seen = new ArrayList<>();
    adaptive.observeStagesWith(map, (service, stage, model, nanos, error) ->
        seen.add(service + " " + map.stages().get(stage) + " " + model + " " + nanos / Spans.MS + (error ? " error" : "")));
    FactsExtractor extractor = Decider.compile(RulesParser.parse("rules: []\n", "r.yaml"), adaptive).extractor();
    TracesData fragment = TracesData.newBuilder()
        .addResourceSpans(Spans.resource("gateway", "scope", Spans.span(T, 1, null, "POST /v1/predict", 0, 90)))
        .addResourceSpans(Spans.resource("model-server", "scope",
            Spans.error(Spans.model(Spans.span(T, 2, 1, "inference ranker", 5, 80), "ranker"))))
        .build();
    extractor.extract(fragment, 100, 0);
    assertThat(seen).containsExactly("gateway request null 90", "model-server inference ranker 80 error");
    extractor.reextract(fragment, 100);
    assertThat(seen).hasSize(2);
  }

  @Test
  void aShortNameIsTheSameString() {
    String name = "ranker-v3";
    assertThat(TraceFacts.boundedName(name)).isSameAs(name);
    assertThat(TraceFacts.boundedName(null)).isNull();
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    String emoji = "\uD83D\uDE00"; // one code point, two chars
    String name = "a".repeat(TraceFacts.MAX_NAME_CHARS - 2) + emoji + "tail";
    String cut = TraceFacts.boundedName(name);
    assertThat(Character.isHighSurrogate(cut.charAt(cut.length() - 2))).isFalse();
    assertThat(cut).endsWith("\u2026");
  }
}
