package io.tailstream.rules.ottl;

import io.tailstream.rules.ottl.OttlExpr.CompareOp;
import io.tailstream.rules.ottl.OttlExpr.Converter;
import io.tailstream.rules.ottl.OttlExpr.Field;
import io.tailstream.rules.ottl.OttlExpr.MathOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses one OTTL condition, as the Collector's {@code ottl_condition} policy takes them, into an
 * {@link OttlExpr}, refusing at validate time what the subset does not cover.
 *
 * <p>Grammar, loosest first: {@code or}, {@code and}, {@code not}, one comparison
 * ({@code == != < <= > >=}), {@code + -}, {@code * /}, unary minus, then literals, enums, paths,
 * converters and parentheses. The whole must be a condition: a comparison, {@code true}/{@code false},
 * a boolean converter, or those joined by {@code and}/{@code or}/{@code not}; a bare path is not
 * (OTTL wants {@code attributes["x"] == true}). Length and nesting are capped, so a hostile rules
 * file cannot exhaust the stack.
 */
public final class OttlParser {
  /** Which list the condition came from: paths mean the span, or the span event, accordingly. */
  public enum Context { SPAN, SPAN_EVENT }

  public static final int MAX_LENGTH = 4096;
  public static final int MAX_DEPTH = 64;
  private static final int MAX_REGEX_LENGTH = 1000;

  private static final Map<String, Long> ENUMS = Map.ofEntries(
      Map.entry("SPAN_KIND_UNSPECIFIED", 0L), Map.entry("SPAN_KIND_INTERNAL", 1L),
      Map.entry("SPAN_KIND_SERVER", 2L), Map.entry("SPAN_KIND_CLIENT", 3L),
      Map.entry("SPAN_KIND_PRODUCER", 4L), Map.entry("SPAN_KIND_CONSUMER", 5L),
      Map.entry("STATUS_CODE_UNSET", 0L), Map.entry("STATUS_CODE_OK", 1L), Map.entry("STATUS_CODE_ERROR", 2L));

  /** Span paths without a key, by their OTTL spelling (after an optional {@code span.}). */
  private static final Map<String, Field> SPAN_FIELDS = Map.ofEntries(
      Map.entry("name", Field.NAME), Map.entry("kind", Field.KIND), Map.entry("status.code", Field.STATUS_CODE),
      Map.entry("status.message", Field.STATUS_MESSAGE), Map.entry("trace_state", Field.TRACE_STATE),
      Map.entry("start_time_unix_nano", Field.START_TIME_UNIX_NANO),
      Map.entry("end_time_unix_nano", Field.END_TIME_UNIX_NANO), Map.entry("trace_id.string", Field.TRACE_ID_STRING),
      Map.entry("span_id.string", Field.SPAN_ID_STRING),
      Map.entry("parent_span_id.string", Field.PARENT_SPAN_ID_STRING),
      Map.entry("dropped_attributes_count", Field.DROPPED_ATTRIBUTES_COUNT));
  private static final Map<String, Field> EVENT_FIELDS = Map.of("name", Field.EVENT_NAME,
      "time_unix_nano", Field.EVENT_TIME_UNIX_NANO, "dropped_attributes_count", Field.EVENT_DROPPED_ATTRIBUTES_COUNT);

  private final Context context;
  private final List<Token> tokens;
  private int at;
  private int depth;

  private OttlParser(String text, Context context) {
    this.context = context;
    this.tokens = OttlLexer.tokens(text);
  }

  /** Parses {@code text}; throws {@link OttlSyntaxException} naming the column and what was expected. */
  public static OttlExpr parse(String text, Context context) {
    if (text.length() > MAX_LENGTH) {
      throw new OttlSyntaxException("condition of " + text.length() + " characters; at most " + MAX_LENGTH, 1);
    }
    OttlParser p = new OttlParser(text, context);
    OttlExpr e = p.or();
    if (p.peek().kind() != Token.Kind.END) {
      throw p.error("unexpected " + p.peek().describe() + " after a complete condition");
    }
    if (!e.isCondition()) {
      throw new OttlSyntaxException("'" + text.strip() + "' is a value, not a condition: compare it,"
          + " e.g. attributes[\"flag\"] == true", 1);
    }
    return e;
  }

  private OttlExpr or() {
    enter();
    List<OttlExpr> parts = new ArrayList<>(List.of(and()));
    while (keyword("or")) {
      parts.add(condition(and(), "or"));
    }
    leave();
    if (parts.size() > 1) {
      condition(parts.get(0), "or");
      return new OttlExpr.Or(parts);
    }
    return parts.get(0);
  }

  private OttlExpr and() {
    List<OttlExpr> parts = new ArrayList<>(List.of(not()));
    while (keyword("and")) {
      parts.add(condition(not(), "and"));
    }
    if (parts.size() > 1) {
      condition(parts.get(0), "and");
      return new OttlExpr.And(parts);
    }
    return parts.get(0);
  }

  private OttlExpr not() {
    if (keyword("not")) {
      enter();
      OttlExpr operand = condition(not(), "not");
      leave();
      return new OttlExpr.Not(operand);
    }
    return comparison();
  }

  private OttlExpr comparison() {
    OttlExpr left = additive();
    CompareOp op = switch (peek().text()) {
      case "==" -> CompareOp.EQ;
      case "!=" -> CompareOp.NE;
      case "<" -> CompareOp.LT;
      case "<=" -> CompareOp.LE;
      case ">" -> CompareOp.GT;
      case ">=" -> CompareOp.GE;
      default -> null;
    };
    if (op == null || peek().kind() != Token.Kind.OPERATOR) {
      return left;
    }
    next();
    OttlExpr right = additive();
    if (peek().kind() == Token.Kind.OPERATOR && peek().text().matches("[=!<>]=?")) {
      throw error("one comparison at a time: join comparisons with 'and' or 'or'");
    }
    return new OttlExpr.Compare(op, left, right);
  }

  private OttlExpr additive() {
    OttlExpr left = multiplicative();
    while (peek().is("+") || peek().is("-")) {
      MathOp op = next().text().equals("+") ? MathOp.ADD : MathOp.SUBTRACT;
      left = new OttlExpr.Math(op, value(left, op), value(multiplicative(), op));
    }
    return left;
  }

  private OttlExpr multiplicative() {
    OttlExpr left = unary();
    while (peek().is("*") || peek().is("/")) {
      MathOp op = next().text().equals("*") ? MathOp.MULTIPLY : MathOp.DIVIDE;
      left = new OttlExpr.Math(op, value(left, op), value(unary(), op));
    }
    return left;
  }

  private OttlExpr unary() {
    if (peek().is("-") || peek().is("+")) {
      boolean negate = next().text().equals("-");
      enter();
      OttlExpr operand = value(unary(), negate ? MathOp.SUBTRACT : MathOp.ADD);
      leave();
      if (!negate) {
        return operand;
      }
      if (operand instanceof OttlExpr.Literal l && l.value() instanceof Long v) {
        return new OttlExpr.Literal(-v);
      }
      if (operand instanceof OttlExpr.Literal l && l.value() instanceof Double v) {
        return new OttlExpr.Literal(-v);
      }
      return new OttlExpr.Math(MathOp.SUBTRACT, new OttlExpr.Literal(0L), operand);
    }
    return primary();
  }

  private OttlExpr primary() {
    Token t = next();
    switch (t.kind()) {
      case STRING:
        return new OttlExpr.Literal(t.text());
      case INT:
        return new OttlExpr.Literal(parseLong(t));
      case FLOAT:
        return new OttlExpr.Literal(Double.parseDouble(t.text()));
      case OPERATOR:
        if (t.is("(")) {
          enter();
          OttlExpr inner = or();
          leave();
          expect(")");
          return inner;
        }
        throw error(t, "expected a value, found " + t.describe());
      case IDENT:
        return identifier(t);
      default:
        throw error(t, "expected a value, found " + t.describe());
    }
  }

  private OttlExpr identifier(Token t) {
    String name = t.text();
    switch (name) {
      case "true":
        return new OttlExpr.Literal(Boolean.TRUE);
      case "false":
        return new OttlExpr.Literal(Boolean.FALSE);
      case "nil":
        return new OttlExpr.Literal(null);
      default:
        break;
    }
    if (Character.isUpperCase(name.charAt(0))) {
      if (peek().is("(")) {
        return call(t);
      }
      Long value = ENUMS.get(name);
      if (value == null) {
        throw error(t, "unknown enum " + name + ": expected one of " + new java.util.TreeSet<>(ENUMS.keySet()));
      }
      return new OttlExpr.Literal(value);
    }
    return path(t);
  }

  private OttlExpr call(Token name) {
    Converter converter = null;
    for (Converter c : Converter.values()) {
      if (c.ottlName.equals(name.text())) {
        converter = c;
      }
    }
    if (converter == null) {
      throw error(name, "converter " + name.text() + " is not supported; supported: " + converters());
    }
    expect("(");
    enter();
    List<OttlExpr> args = new ArrayList<>();
    if (!peek().is(")")) {
      do {
        args.add(or());
      } while (accept(","));
    }
    leave();
    expect(")");
    if (args.size() != converter.arity) {
      throw error(name, converter.ottlName + " takes " + converter.arity + " argument"
          + (converter.arity == 1 ? "" : "s") + ", found " + args.size());
    }
    if (converter == Converter.IS_MATCH) {
      if (!(args.get(1) instanceof OttlExpr.Literal l) || !(l.value() instanceof String pattern)) {
        throw error(name, "IsMatch's pattern must be a string literal");
      }
      if (pattern.length() > MAX_REGEX_LENGTH) {
        throw error(name, "IsMatch pattern of " + pattern.length() + " characters; at most " + MAX_REGEX_LENGTH);
      }
      try {
        com.google.re2j.Pattern.compile(pattern);
      } catch (com.google.re2j.PatternSyntaxException e) {
        throw error(name, "bad IsMatch pattern '" + pattern + "': " + e.getMessage() + " (RE2 syntax)");
      }
    }
    return new OttlExpr.Call(converter, args);
  }

  private OttlExpr path(Token first) {
    StringBuilder dotted = new StringBuilder(first.text());
    while (peek().is(".")) {
      next();
      Token segment = next();
      if (segment.kind() != Token.Kind.IDENT) {
        throw error(segment, "expected a path segment after '.', found " + segment.describe());
      }
      dotted.append('.').append(segment.text());
    }
    String key = null;
    if (accept("[")) {
      Token k = next();
      if (k.kind() != Token.Kind.STRING) {
        throw error(k, "expected a string key in [ ], e.g. attributes[\"http.route\"]");
      }
      key = k.text();
      expect("]");
      if (peek().is("[")) {
        throw error("nested keys are not supported: one [\"key\"] per path");
      }
    }
    return resolve(first, dotted.toString(), key);
  }

  private OttlExpr resolve(Token at, String path, String key) {
    String p = path;
    boolean event = context == Context.SPAN_EVENT;
    if (p.startsWith("span.")) {
      p = p.substring("span.".length());
      event = false;
    } else if (p.startsWith("spanevent.")) {
      if (context != Context.SPAN_EVENT) {
        throw error(at, "spanevent paths are for the spanevent list, not the span list");
      }
      p = p.substring("spanevent.".length());
    }
    Field field;
    if (p.equals("attributes")) {
      field = event ? Field.EVENT_ATTRIBUTE : Field.ATTRIBUTE;
    } else if (p.equals("resource.attributes")) {
      field = Field.RESOURCE_ATTRIBUTE;
    } else if (p.equals("trace_state") && key != null && !event) {
      field = Field.TRACE_STATE_KEY;
    } else {
      field = (event ? EVENT_FIELDS : SPAN_FIELDS).get(p);
      if (field != null && key != null) {
        throw error(at, path + " takes no [\"key\"]");
      }
    }
    if (field == null) {
      throw error(at, "path " + path + " is not supported; supported: " + supportedPaths(event));
    }
    boolean keyed = field == Field.ATTRIBUTE || field == Field.EVENT_ATTRIBUTE || field == Field.RESOURCE_ATTRIBUTE;
    if (keyed && key == null) {
      throw error(at, path + " needs a key, e.g. " + path + "[\"http.route\"]");
    }
    return new OttlExpr.PathRef(field, key);
  }

  private static String supportedPaths(boolean event) {
    List<String> out = new ArrayList<>(new java.util.TreeSet<>((event ? EVENT_FIELDS : SPAN_FIELDS).keySet()));
    out.add("attributes[\"k\"]");
    out.add("resource.attributes[\"k\"]");
    if (!event) {
      out.add("trace_state[\"k\"]");
    } else {
      out.add("span.<any span path>");
    }
    return String.join(", ", out);
  }

  private static String converters() {
    List<String> names = new ArrayList<>();
    for (Converter c : Converter.values()) {
      names.add(c.ottlName);
    }
    return String.join(", ", names);
  }

  private OttlExpr condition(OttlExpr e, String operator) {
    if (!e.isCondition()) {
      throw error("'" + operator + "' joins conditions; a value stands beside it (compare it, e.g. == true)");
    }
    return e;
  }

  private OttlExpr value(OttlExpr e, MathOp op) {
    if (e.isCondition()) {
      throw error("arithmetic (" + op.name().toLowerCase(java.util.Locale.ROOT) + ") on a condition");
    }
    return e;
  }

  private long parseLong(Token t) {
    try {
      return Long.parseLong(t.text());
    } catch (NumberFormatException e) {
      throw error(t, "integer " + t.text() + " is out of range (64-bit)");
    }
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("nested more than " + MAX_DEPTH + " deep");
    }
  }

  private void leave() {
    depth--;
  }

  private boolean keyword(String word) {
    if (peek().kind() == Token.Kind.IDENT && peek().text().equals(word)) {
      next();
      return true;
    }
    return false;
  }

  private boolean accept(String operator) {
    if (peek().is(operator)) {
      next();
      return true;
    }
    return false;
  }

  private void expect(String operator) {
    Token t = next();
    if (!t.is(operator)) {
      throw error(t, "expected '" + operator + "', found " + t.describe());
    }
  }

  private Token peek() {
    return tokens.get(at);
  }

  private Token next() {
    Token t = tokens.get(at);
    if (at < tokens.size() - 1) {
      at++;
    }
    return t;
  }

  private OttlSyntaxException error(String message) {
    return error(peek(), message);
  }

  private static OttlSyntaxException error(Token t, String message) {
    return new OttlSyntaxException(message, t.column());
  }

  /** One lexical token, with its 1-based column. */
  record Token(Kind kind, String text, int column) {
    enum Kind { IDENT, STRING, INT, FLOAT, OPERATOR, END }

    boolean is(String operator) {
      return kind == Kind.OPERATOR && text.equals(operator);
    }

    String describe() {
      return switch (kind) {
        case END -> "the end";
        case STRING -> "string \"" + text + "\"";
        default -> "'" + text + "'";
      };
    }
  }
}
