package io.tailstream.importer;

import io.tailstream.rules.Condition;
import io.tailstream.rules.NumberRange;
import io.tailstream.rules.ValueMatch;
import io.tailstream.yaml.YamlNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One condition of a Refinery rule → an {@link Expr}. Refinery sees a span as one flat event: its
 * attributes and its resource's together, plus fields of its own ({@code name},
 * {@code duration_ms}, {@code error}, {@code status_code}, {@code trace.parent_id}); a field is
 * any span's ({@code Scope: trace}) or the root span's ({@code root.} prefix). So a plain field
 * becomes {@code any-of} an {@code attribute} and a {@code resource-attribute} test, and the
 * fields of its own map to tailstream's span-name, span-latency, error, status and root
 * conditions.
 *
 * <p>Negative operators ({@code !=}, {@code not-in}, {@code does-not-contain},
 * {@code not-exists}) hold when some single span lacks the value; Refinery's docs call that
 * "almost never desired" with {@code Scope: trace}, and tailstream cannot say it. On the root
 * span they are exact: the root has the field and the positive test fails.
 */
final class RefineryConditions {
  static final Set<String> OPERATORS = Set.of("=", "!=", ">", "<", ">=", "<=", "starts-with",
      "contains", "does-not-contain", "exists", "not-exists", "has-root-span", "matches", "in", "not-in");
  private static final Set<String> NEGATIVE = Set.of("!=", "not-in", "does-not-contain", "not-exists");
  static final String PARENT_ID = "trace.parent_id";
  private static final String DESCENDANTS = "?.NUM_DESCENDANTS";

  private RefineryConditions() {}

  static String operator(YamlNode c) {
    YamlNode op = c.get("Operator").orElseThrow(() -> c.error("a condition needs an 'Operator'"));
    if (!OPERATORS.contains(op.scalar())) {
      throw op.error("unknown Operator '" + op.scalar() + "'; Refinery's are "
          + String.join(", ", new java.util.TreeSet<>(OPERATORS)));
    }
    return op.scalar();
  }

  /** Whether this condition is {@code trace.parent_id not-exists}: "the span is a root". */
  static boolean selectsRoot(YamlNode c) {
    return c.get("Field").map(YamlNode::scalar).orElse("").equals(PARENT_ID)
        && operator(c).equals("not-exists");
  }

  /** The condition; {@code onRoot}: it must hold on the root span (Scope: span with a root selector). */
  static Expr of(YamlNode c, boolean onRoot, List<String> notes) {
    c.requireKeys(Set.of("Field", "Fields", "Operator", "Value", "Datatype"));
    String op = operator(c);
    if (op.equals("has-root-span")) {
      return Expr.of(new Condition.Root(bool(value(c))));
    }
    List<String> fields = new ArrayList<>();
    c.get("Field").ifPresent(f -> fields.add(f.scalar()));
    c.get("Fields").ifPresent(f -> f.items().forEach(i -> fields.add(i.scalar())));
    if (fields.isEmpty()) {
      throw c.error("a condition with Operator " + op + " needs a 'Field' or 'Fields'");
    }
    if (fields.size() > 1) {
      notes.add("Fields " + fields + ": tailstream tests each field; Refinery tests only the first "
          + "one a span has, which differs on spans carrying several");
    }
    List<Expr> any = new ArrayList<>();
    for (String field : fields) {
      boolean root = onRoot || field.startsWith("root.");
      String name = field.startsWith("root.") ? field.substring(5) : field;
      any.add(field(c, op, name, root ? Condition.Scope.ROOT : Condition.Scope.ANY_SPAN));
    }
    return Expr.any(any);
  }

  private static Expr field(YamlNode c, String op, String field, Condition.Scope scope) {
    if (field.equals(DESCENDANTS)) {
      return spanCount(c, op);
    }
    if (field.equals(PARENT_ID)) {
      if (op.equals("not-exists")) {
        return scope == Condition.Scope.ROOT ? Expr.TRUE : Expr.of(new Condition.Root(true));
      }
      throw new Untranslatable(c, "only 'trace.parent_id not-exists' (the span is a root) has a "
          + "tailstream counterpart");
    }
    if (NEGATIVE.contains(op)) {
      if (scope != Condition.Scope.ROOT) {
        throw new Untranslatable(c, "'" + op + "' with Scope: trace holds when any single span lacks "
            + "the value, which tailstream cannot test; on the root span (root." + field
            + " or Scope: span with trace.parent_id not-exists) it can");
      }
      Expr present = field(c, "exists", field, scope);
      if (op.equals("not-exists")) {
        return Expr.all(List.of(Expr.of(new Condition.Root(true)), Expr.not(present)));
      }
      String positive = switch (op) {
        case "!=" -> "=";
        case "not-in" -> "in";
        default -> "contains";
      };
      return Expr.all(List.of(present, Expr.not(field(c, positive, field, scope))));
    }
    return switch (field) {
      case "name" -> spanName(c, op, scope);
      case "duration_ms" -> duration(c, op, scope);
      case "error" -> error(c, op, scope);
      case "status_code" -> statusCode(c, op, scope);
      default -> CollectorPolicies.attribute(field, match(c, op), scope);
    };
  }

  private static ValueMatch match(YamlNode c, String op) {
    String datatype = c.get("Datatype").map(YamlNode::scalar).orElse("");
    return switch (op) {
      case "=" -> switch (datatype) {
        case "int", "float" -> {
          double v = number(value(c));
          yield new ValueMatch.Number(new NumberRange(v, true, v, true));
        }
        case "bool" -> new ValueMatch.Bool(bool(value(c)));
        // string, or no Datatype: tailstream's text tests read numbers and booleans by their text.
        default -> new ValueMatch.Equals(value(c).scalar());
      };
      case ">", ">=", "<", "<=" -> {
        if (datatype.equals("string")) {
          throw new Untranslatable(c, "string ordering (Datatype: string with " + op + ") has no "
              + "tailstream counterpart");
        }
        yield new ValueMatch.Number(NumberRange.parse(op + " " + ConditionYaml.plain(number(value(c)))));
      }
      case "starts-with" -> new ValueMatch.Prefix(value(c).scalar());
      case "contains" -> new ValueMatch.Regex("(?s).*" + com.google.re2j.Pattern.quote(value(c).scalar()) + ".*");
      case "matches" -> {
        String pattern = "(?s).*(?:" + value(c).scalar() + ").*";
        try {
          com.google.re2j.Pattern.compile(pattern);
        } catch (com.google.re2j.PatternSyntaxException e) {
          throw new Untranslatable(c, "the regex is not valid RE2: " + e.getMessage());
        }
        yield new ValueMatch.Regex(pattern);
      }
      case "in" -> new ValueMatch.In(texts(value(c)));
      case "exists" -> new ValueMatch.Exists(true);
      default -> throw new IllegalStateException("operator " + op + " is not positive");
    };
  }

  private static Expr spanCount(YamlNode c, String op) {
    long n = (long) number(value(c));
    int v = (int) Math.max(0, Math.min(Integer.MAX_VALUE - 1, n));
    return switch (op) {
      case "=" -> Expr.of(new Condition.SpanCount(v, v));
      case ">" -> Expr.of(new Condition.SpanCount(v + 1, Integer.MAX_VALUE));
      case ">=" -> Expr.of(new Condition.SpanCount(v, Integer.MAX_VALUE));
      case "<" -> v == 0 ? Expr.FALSE : Expr.of(new Condition.SpanCount(0, v - 1));
      case "<=" -> Expr.of(new Condition.SpanCount(0, v));
      default -> throw new Untranslatable(c, "?.NUM_DESCENDANTS takes =, >, >=, < or <=");
    };
  }

  private static Expr spanName(YamlNode c, String op, Condition.Scope scope) {
    if (op.equals("=") || op.equals("in")) {
      return Expr.of(new Condition.SpanName(texts(value(c)), scope));
    }
    throw new Untranslatable(c, "the span name can be tested with = or in only");
  }

  private static Expr duration(YamlNode c, String op, Condition.Scope scope) {
    if (scope == Condition.Scope.ANY_SPAN && (op.equals(">") || op.equals(">="))) {
      long nanos = Math.round(number(value(c)) * 1_000_000d);
      return Expr.of(new Condition.SpanLatency(null, null, null, op.equals(">") ? nanos : nanos - 1));
    }
    throw new Untranslatable(c, "duration_ms " + op + (scope == Condition.Scope.ROOT ? " on the root" : "")
        + ": tailstream tests a span's duration only as 'some span ran longer than' (span-latency); "
        + "for the whole trace's duration write latency: yourself");
  }

  private static Expr error(YamlNode c, String op, Condition.Scope scope) {
    boolean wanted = op.equals("exists") || (op.equals("=") && bool(value(c)));
    if (!wanted || !(op.equals("=") || op.equals("exists"))) {
      throw new Untranslatable(c, "the error field can be tested with '= true' or 'exists' only");
    }
    return scope == Condition.Scope.ROOT
        ? Expr.of(new Condition.Status(Set.of("ERROR"), Condition.Scope.ROOT))
        : Expr.of(new Condition.Error(true));
  }

  private static Expr statusCode(YamlNode c, String op, Condition.Scope scope) {
    if (!op.equals("=") && !op.equals("in")) {
      throw new Untranslatable(c, "status_code can be tested with = or in only");
    }
    Set<String> codes = new LinkedHashSet<>();
    for (String v : texts(value(c))) {
      codes.add(switch (v) {
        case "0", "UNSET" -> "UNSET";
        case "1", "OK" -> "OK";
        case "2", "ERROR" -> "ERROR";
        default -> throw new Untranslatable(c, "status_code " + v + ": expected 0 (unset), 1 (ok) or 2 (error)");
      });
    }
    return Expr.of(new Condition.Status(codes, scope));
  }

  private static YamlNode value(YamlNode c) {
    return c.get("Value").orElseThrow(() -> c.error("this Operator needs a 'Value'"));
  }

  private static Set<String> texts(YamlNode v) {
    if (v.isScalar()) {
      return Set.of(v.scalar());
    }
    Set<String> out = new LinkedHashSet<>();
    v.items().forEach(i -> out.add(i.scalar()));
    return out;
  }

  private static double number(YamlNode v) {
    try {
      return Double.parseDouble(v.scalar().trim());
    } catch (NumberFormatException e) {
      throw v.error("bad value '" + v.scalar() + "': expected a number");
    }
  }

  private static boolean bool(YamlNode v) {
    return switch (v.scalar().trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "y", "on", "1" -> true;
      case "false", "no", "n", "off", "0" -> false;
      default -> throw v.error("bad value '" + v.scalar() + "': expected true or false");
    };
  }
}
