package io.tailstream.rules.ottl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tailstream.rules.RulesParser;
import io.tailstream.rules.ottl.OttlExpr.CompareOp;
import io.tailstream.rules.ottl.OttlExpr.Field;
import io.tailstream.rules.ottl.OttlParser.Context;
import io.tailstream.yaml.YamlException;
import java.util.List;
import org.junit.jupiter.api.Test;

class OttlParserTest {
  private static OttlExpr span(String text) {
    return OttlParser.parse(text, Context.SPAN);
  }

  @Test
  void aComparisonOfAPathAndALiteral() {
    assertThat(span("attributes[\"http.status_code\"] >= 500")).isEqualTo(new OttlExpr.Compare(CompareOp.GE,
        new OttlExpr.PathRef(Field.ATTRIBUTE, "http.status_code"), new OttlExpr.Literal(500L)));
    assertThat(span("span.name == \"GET\"")).as("the span. prefix").isEqualTo(span("name == \"GET\""));
    assertThat(span("kind == SPAN_KIND_CLIENT")).isEqualTo(new OttlExpr.Compare(CompareOp.EQ,
        new OttlExpr.PathRef(Field.KIND, null), new OttlExpr.Literal(3L)));
    assertThat(span("status.code == 1")).isEqualTo(new OttlExpr.Compare(CompareOp.EQ,
        new OttlExpr.PathRef(Field.STATUS_CODE, null), new OttlExpr.Literal(1L)));
  }

  @Test
  void notBindsTighterThanAndWhichBindsTighterThanOr() {
    OttlExpr a = span("name == \"a\"");
    OttlExpr b = span("name == \"b\"");
    OttlExpr c = span("name == \"c\"");
    assertThat(span("name == \"a\" or name == \"b\" and not name == \"c\""))
        .isEqualTo(new OttlExpr.Or(List.of(a, new OttlExpr.And(List.of(b, new OttlExpr.Not(c))))));
    assertThat(span("(name == \"a\" or name == \"b\") and name == \"c\""))
        .isEqualTo(new OttlExpr.And(List.of(new OttlExpr.Or(List.of(a, b)), c)));
  }

  @Test
  void arithmeticHasItsUsualPrecedenceAndNegativeLiterals() {
    assertThat(span("end_time_unix_nano - start_time_unix_nano * 2 > -1.5")).isEqualTo(new OttlExpr.Compare(CompareOp.GT,
        new OttlExpr.Math(OttlExpr.MathOp.SUBTRACT, new OttlExpr.PathRef(Field.END_TIME_UNIX_NANO, null),
            new OttlExpr.Math(OttlExpr.MathOp.MULTIPLY, new OttlExpr.PathRef(Field.START_TIME_UNIX_NANO, null),
                new OttlExpr.Literal(2L))),
        new OttlExpr.Literal(-1.5)));
    assertThat(span("attributes[\"r\"] < .5")).isEqualTo(new OttlExpr.Compare(CompareOp.LT,
        new OttlExpr.PathRef(Field.ATTRIBUTE, "r"), new OttlExpr.Literal(0.5)));
  }

  @Test
  void spanEventPathsNameTheEventAndSpanPathsTheSpan() {
    assertThat(OttlParser.parse("name == \"exception\" and span.name == \"GET\"", Context.SPAN_EVENT))
        .isEqualTo(new OttlExpr.And(List.of(
            new OttlExpr.Compare(CompareOp.EQ, new OttlExpr.PathRef(Field.EVENT_NAME, null), new OttlExpr.Literal("exception")),
            new OttlExpr.Compare(CompareOp.EQ, new OttlExpr.PathRef(Field.NAME, null), new OttlExpr.Literal("GET")))));
    assertThat(OttlParser.parse("spanevent.attributes[\"k\"] == nil", Context.SPAN_EVENT)).isEqualTo(
        new OttlExpr.Compare(CompareOp.EQ, new OttlExpr.PathRef(Field.EVENT_ATTRIBUTE, "k"), new OttlExpr.Literal(null)));
  }

  @Test
  void stringsTakeEscapes() {
    assertThat(span("name == \"say \\\"hi\\\"\\n\"")).isEqualTo(new OttlExpr.Compare(CompareOp.EQ,
        new OttlExpr.PathRef(Field.NAME, null), new OttlExpr.Literal("say \"hi\"\n")));
  }

  @Test
  void whatTheSubsetDoesNotCoverIsRefusedWithItsColumn() {
    assertRefused("attributes[\"x\"]", "column 1", "is a value, not a condition");
    assertRefused("name == \"a", "column 9", "string not closed");
    assertRefused("name = \"a\"", "column 6", "unexpected");
    assertRefused("duration > 5", "column 1", "path duration is not supported", "end_time_unix_nano");
    assertRefused("attributes == nil", "column 1", "needs a key");
    assertRefused("name[\"k\"] == nil", "column 1", "takes no [\"key\"]");
    assertRefused("attributes[\"a\"][\"b\"] == 1", "nested keys are not supported");
    assertRefused("Concat(name, \"x\") == \"a\"", "column 1", "converter Concat is not supported", "IsMatch");
    assertRefused("IsMatch(name)", "IsMatch takes 2 arguments, found 1");
    assertRefused("IsMatch(name, attributes[\"p\"])", "pattern must be a string literal");
    assertRefused("IsMatch(name, \"(\")", "bad IsMatch pattern");
    assertRefused("SPAN_KIND_WHATEVER == kind", "unknown enum SPAN_KIND_WHATEVER");
    assertRefused("1 < 2 < 3", "one comparison at a time");
    assertRefused("name == \"a\" and 5", "'and' joins conditions");
    assertRefused("IsString(name) + 1 > 0", "arithmetic (add) on a condition");
    assertRefused("spanevent.name == \"e\"", "spanevent paths are for the spanevent list");
    assertRefused("name == \"a\" name", "unexpected 'name' after a complete condition");
    assertRefused("99999999999999999999 > 1", "out of range");
    assertRefused("name == 0x01", "bad number");
  }

  @Test
  void hostileConditionsAreRefusedNotStackOverflowed() {
    String deep = "(".repeat(10_000) + "true" + ")".repeat(10_000);
    assertThatThrownBy(() -> span(deep)).isInstanceOf(OttlSyntaxException.class).hasMessageContaining("characters");
    String nested = "not ".repeat(200) + "true";
    assertThatThrownBy(() -> span(nested)).isInstanceOf(OttlSyntaxException.class)
        .hasMessageContaining("nested more than " + OttlParser.MAX_DEPTH);
  }

  @Test
  void theRulesParserReportsFileLineAndColumn() {
    String rules = """
        rules:
          - name: r
            keep:
              ottl:
                span:
                  - 'name == "ok"'
                  - 'attributes["x"] >> 5'
        """;
    assertThatThrownBy(() -> RulesParser.parse(rules, "rules.yaml")).isInstanceOf(YamlException.class)
        .hasMessageContaining("rules.yaml:7")
        .hasMessageContaining("OTTL condition 'attributes[\"x\"] >> 5': column 18: expected a value");
    assertThatThrownBy(() -> RulesParser.parse("rules: [ { name: r, keep: { ottl: { spans: [ 'true' ] } } } ]", "r.yaml"))
        .isInstanceOf(YamlException.class).hasMessageContaining("spans");
    assertThatThrownBy(() -> RulesParser.parse("rules: [ { name: r, keep: { ottl: [] } } ]", "r.yaml"))
        .isInstanceOf(YamlException.class).hasMessageContaining("expected OTTL conditions");
  }

  private static void assertRefused(String text, String... fragments) {
    assertThatThrownBy(() -> span(text)).as(text).isInstanceOf(OttlSyntaxException.class)
        .satisfies(e -> assertThat(e.getMessage()).contains(fragments));
  }
}
