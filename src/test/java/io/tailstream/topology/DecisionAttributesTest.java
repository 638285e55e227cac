package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.config.AttributeScope;
import io.tailstream.decide.Decider;
import io.tailstream.decide.Decision;
import io.tailstream.testing.Spans;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which spans get the decision's attributes, with what values, and that nothing else changes. */
class DecisionAttributesTest {
  private static final byte[] T = Spans.traceId(9);
  private static final Decision ERRORS = Decision.keep("errors", "abc123");

  private static byte[] fragment(Span.Builder... spans) {
    return TracesData.newBuilder().addResourceSpans(Spans.resource("svc", "scope", spans)).build()
        .toByteArray();
  }

  private static List<Span> spans(List<byte[]> fragments) throws Exception {
    List<Span> out = new ArrayList<>();
    for (byte[] f : fragments) {
      TracesData.parseFrom(f).getResourceSpansList().forEach(rs -> rs.getScopeSpansList()
          .forEach(ss -> out.addAll(ss.getSpansList())));
    }
    return out;
  }

  /** A span's tailstream.* attributes, key → value, in the order written. */
  private static Map<String, AnyValue> decisionAttributes(Span span) {
    Map<String, AnyValue> out = new LinkedHashMap<>();
    for (KeyValue kv : span.getAttributesList()) {
      if (kv.getKey().startsWith("tailstream.")) {
        out.put(kv.getKey(), kv.getValue());
      }
    }
    return out;
  }

  private static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static AnyValue dbl(double d) {
    return AnyValue.newBuilder().setDoubleValue(d).build();
  }

  private static AnyValue integer(long i) {
    return AnyValue.newBuilder().setIntValue(i).build();
  }

  @Test
  void offHandsBackTheSameFragments() throws Exception {
    List<byte[]> fragments = List.of(fragment(Spans.span(T, 1, null, "root", 0, 10)));

    assertThat(new DecisionAttributes(AttributeScope.OFF).stamp(fragments, ERRORS, 42)).isSameAs(fragments);
  }

  @Test
  void rootPutsThemOnTheRootOnlyAndReencodesOnlyItsFragment() throws Exception {
    byte[] children = fragment(Spans.span(T, 2, 1, "a", 1, 5), Spans.span(T, 3, 1, "b", 2, 5));
    byte[] withRoot = fragment(Spans.span(T, 4, 1, "c", 3, 5), Spans.span(T, 1, null, "root", 0, 10));

    List<byte[]> out = new DecisionAttributes(AttributeScope.ROOT).stamp(List.of(children, withRoot), ERRORS, 42);

    assertThat(out.get(0)).isSameAs(children);
    List<Span> spans = spans(out);
    assertThat(spans).extracting(Span::getName).containsExactly("a", "b", "c", "root");
    assertThat(decisionAttributes(spans.get(3))).containsExactly(
        Map.entry(DecisionAttributes.RULE, str("errors")),
        Map.entry(DecisionAttributes.RULES_VERSION, str("abc123")),
        Map.entry(DecisionAttributes.ADJUSTED_COUNT, dbl(1)),
        Map.entry(DecisionAttributes.DECISION_DELAY_MS, integer(42)));
    assertThat(spans.subList(0, 3)).allSatisfy(s -> assertThat(decisionAttributes(s)).isEmpty());
    // The root itself is otherwise the span that came in.
    Span original = spans(List.of(withRoot)).get(1);
    assertThat(spans.get(3).toBuilder().clearAttributes().addAllAttributes(original.getAttributesList())
        .build()).isEqualTo(original);
  }

  @Test
  void aTraceWithoutARootHasThemOnItsEarliestSpan() throws Exception {
    byte[] f = fragment(Spans.span(T, 2, 1, "later", 20, 5), Spans.span(T, 3, 1, "earliest", 10, 5));

    List<Span> spans = spans(new DecisionAttributes(AttributeScope.ROOT).stamp(List.of(f), ERRORS, 0));

    assertThat(decisionAttributes(spans.get(0))).isEmpty();
    assertThat(decisionAttributes(spans.get(1))).containsKey(DecisionAttributes.RULE);
  }

  @Test
  void allPutsThemOnEverySpanEachWithItsOwnAdjustedCount() throws Exception {
    // Sampled at 10%; one span came head-sampled at 1% (th fd70a4), which the keep never lowers.
    Decision tenPercent = Decision.keepSampled("baseline", Decider.thresholdFor(0.1), "v1");
    byte[] f = fragment(Spans.span(T, 1, null, "root", 0, 10),
        Spans.span(T, 2, 1, "head-sampled", 1, 5).setTraceState("ot=th:fd70a4"));

    List<Span> spans = spans(new DecisionAttributes(AttributeScope.ALL).stamp(List.of(f), tenPercent, 7));

    assertThat(spans).allSatisfy(s -> assertThat(decisionAttributes(s).keySet()).containsExactly(
        DecisionAttributes.RULE, DecisionAttributes.RULES_VERSION, DecisionAttributes.ADJUSTED_COUNT,
        DecisionAttributes.DECISION_DELAY_MS));
    assertThat(decisionAttributes(spans.get(0)).get(DecisionAttributes.ADJUSTED_COUNT)).isEqualTo(dbl(10));
    assertThat(decisionAttributes(spans.get(1)).get(DecisionAttributes.ADJUSTED_COUNT).getDoubleValue())
        .isCloseTo(100, offset(0.01));
  }

  @Test
  void aKeepByALimitHasNoAdjustedCountAndAStressedKeepSaysSo() throws Exception {
    byte[] f = fragment(Spans.span(T, 1, null, "root", 0, 10));

    Span capped = spans(new DecisionAttributes(AttributeScope.ROOT)
        .stamp(List.of(f), Decision.keepErasingThreshold("capped", "v"), 0)).get(0);
    Span stressed = spans(new DecisionAttributes(AttributeScope.ROOT)
        .stamp(List.of(f), Decision.keep(Decider.STRESS_ERRORS, "v"), 0)).get(0);

    assertThat(decisionAttributes(capped)).doesNotContainKey(DecisionAttributes.ADJUSTED_COUNT)
        .doesNotContainKey(DecisionAttributes.STRESSED);
    assertThat(decisionAttributes(stressed))
        .containsEntry(DecisionAttributes.STRESSED, AnyValue.newBuilder().setBoolValue(true).build());
  }

  @Test
  void attributesOfAnEarlierTailstreamAreReplacedNotRepeated() throws Exception {
    byte[] f = fragment(Spans.span(T, 1, null, "root", 0, 10)
        .addAttributes(Spans.attr(DecisionAttributes.RULE, "old"))
        .addAttributes(Spans.attr("http.route", "/checkout")));

    Span root = spans(new DecisionAttributes(AttributeScope.ROOT).stamp(List.of(f), ERRORS, 0)).get(0);

    assertThat(root.getAttributesList()).extracting(KeyValue::getKey).containsExactly("http.route",
        DecisionAttributes.RULE, DecisionAttributes.RULES_VERSION, DecisionAttributes.ADJUSTED_COUNT,
        DecisionAttributes.DECISION_DELAY_MS);
    assertThat(decisionAttributes(root).get(DecisionAttributes.RULE)).isEqualTo(str("errors"));
  }

  @Test
  void adjustedCountsAreRoundedToSixSignificantDigits() {
    assertThat(DecisionAttributes.rounded(10.000000000000002)).isEqualTo(10);
    assertThat(DecisionAttributes.rounded(1 / 0.3)).isEqualTo(3.33333);
    assertThat(DecisionAttributes.rounded(1)).isEqualTo(1);
  }

  @Test
  void attributesThatHaveAHeaderAreTheHeaderNameInOpenTelemetrySpelling() {
    assertThat(DecisionAttributes.BY_HEADER).allSatisfy((header, attribute) -> {
      assertThat(Headers.ON_KEPT_TRACES).contains(header);
      assertThat(DecisionAttributes.forHeader(header)).isEqualTo(attribute);
      assertThat(DecisionAttributes.NAMES).contains(attribute);
    });
    assertThat(DecisionAttributes.NAMES).allMatch(n -> n.startsWith("tailstream.") && !n.contains("-"));
  }

  /** The rows of the markdown table whose header row starts with {@code firstColumn}, as cells. */
  private static List<List<String>> table(List<String> lines, String firstColumn) {
    List<List<String>> rows = new ArrayList<>();
    int at = lines.indexOf(lines.stream().filter(l -> l.startsWith("| " + firstColumn + " |")).findFirst()
        .orElseThrow(() -> new AssertionError("no table headed " + firstColumn)));
    for (int i = at + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      rows.add(Arrays.stream(lines.get(i).split("\\|")).skip(1).map(String::strip)
          .map(c -> c.replace("`", "")).toList());
    }
    return rows;
  }

  @Test
  void theWireFormatsPageNamesExactlyTheseAttributesAndHeaders() throws Exception {
    List<String> page = Files.readAllLines(Path.of("docs/wire-formats.md"));

    List<List<String>> attributes = table(page, "attribute");
    assertThat(attributes).extracting(row -> row.get(0)).containsExactlyElementsOf(DecisionAttributes.NAMES);
    for (List<String> row : attributes) {
      String header = row.get(2);
      if (header.equals("—")) {
        assertThat(DecisionAttributes.BY_HEADER).as(row.get(0)).doesNotContainValue(row.get(0));
      } else {
        assertThat(DecisionAttributes.BY_HEADER).as(row.get(0)).containsEntry(header, row.get(0));
      }
    }
    assertThat(table(page, "header")).extracting(row -> row.get(0))
        .containsExactlyElementsOf(Headers.ON_KEPT_TRACES);
  }
}
