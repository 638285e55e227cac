package io.tailstream.decide;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TraceIds;
import io.tailstream.rules.Condition;
import io.tailstream.rules.ottl.OttlExpr;
import io.tailstream.rules.ottl.OttlParser;
import java.util.List;

/**
 * Compiles a parsed OTTL condition into a {@link SpanMatcher}: a tree of small closures built
 * once when the rules load, so a span is tested without parsing or looking anything up by name.
 *
 * <p>Semantics follow OTTL's comparison rules: a missing attribute is {@code nil}; ints and
 * floats compare as numbers; values of different types are only "not equal" ({@code !=} is true,
 * every other operator false); integer division by zero and int/float mixes in arithmetic give
 * {@code nil}. Nothing here throws on a span's data: a condition that cannot be evaluated is
 * false, as the Collector's {@code error_mode: ignore} has it.
 */
final class OttlCompiler {
  /** A value of one span (and, in the span event context, one of its events); null is nil. */
  @FunctionalInterface
  interface Value {
    Object get(Span span, ResourceSpans resource, Span.Event event);
  }

  @FunctionalInterface
  interface Test {
    boolean test(Span span, ResourceSpans resource, Span.Event event);
  }

  private OttlCompiler() {}

  static SpanMatcher compile(Condition.OttlCondition condition) {
    Test test = test(condition.expr());
    if (condition.context() == OttlParser.Context.SPAN) {
      return (span, rs, service) -> test.test(span, rs, null);
    }
    return (span, rs, service) -> {
      for (int i = 0, n = span.getEventsCount(); i < n; i++) {
        if (test.test(span, rs, span.getEvents(i))) {
          return true;
        }
      }
      return false;
    };
  }

  static Test test(OttlExpr e) {
    if (e instanceof OttlExpr.Literal l) {
      boolean constant = Boolean.TRUE.equals(l.value());
      return (s, r, ev) -> constant;
    }
    if (e instanceof OttlExpr.Not n) {
      Test inner = test(n.operand());
      return (s, r, ev) -> !inner.test(s, r, ev);
    }
    if (e instanceof OttlExpr.And and) {
      Test[] parts = and.parts().stream().map(OttlCompiler::test).toArray(Test[]::new);
      return (s, r, ev) -> {
        for (Test t : parts) {
          if (!t.test(s, r, ev)) {
            return false;
          }
        }
        return true;
      };
    }
    if (e instanceof OttlExpr.Or or) {
      Test[] parts = or.parts().stream().map(OttlCompiler::test).toArray(Test[]::new);
      return (s, r, ev) -> {
        for (Test t : parts) {
          if (t.test(s, r, ev)) {
            return true;
          }
        }
        return false;
      };
    }
    if (e instanceof OttlExpr.Compare c) {
      Value left = value(c.left());
      Value right = value(c.right());
      OttlExpr.CompareOp op = c.op();
      return (s, r, ev) -> compare(op, left.get(s, r, ev), right.get(s, r, ev));
    }
    OttlExpr.Call call = (OttlExpr.Call) e;
    Value arg = value(call.args().get(0));
    return switch (call.converter()) {
      case IS_MATCH -> {
        com.google.re2j.Pattern pattern = com.google.re2j.Pattern.compile(
            (String) ((OttlExpr.Literal) call.args().get(1)).value());
        yield (s, r, ev) -> {
          String text = stringLike(arg.get(s, r, ev));
          return text != null && pattern.matcher(text).find();
        };
      }
      case IS_STRING -> (s, r, ev) -> arg.get(s, r, ev) instanceof String;
      case IS_INT -> (s, r, ev) -> arg.get(s, r, ev) instanceof Long;
      case IS_DOUBLE -> (s, r, ev) -> arg.get(s, r, ev) instanceof Double;
      case IS_BOOL -> (s, r, ev) -> arg.get(s, r, ev) instanceof Boolean;
      case IS_MAP -> (s, r, ev) -> arg.get(s, r, ev) instanceof io.opentelemetry.proto.common.v1.KeyValueList;
      case IS_LIST -> (s, r, ev) -> arg.get(s, r, ev) instanceof io.opentelemetry.proto.common.v1.ArrayValue;
      default -> throw new IllegalArgumentException(call.converter().ottlName + " is not a condition");
    };
  }

  static Value value(OttlExpr e) {
    if (e.isCondition() && !(e instanceof OttlExpr.Literal)) {
      Test t = test(e);
      return (s, r, ev) -> t.test(s, r, ev);
    }
    if (e instanceof OttlExpr.Literal l) {
      Object constant = l.value();
      return (s, r, ev) -> constant;
    }
    if (e instanceof OttlExpr.PathRef p) {
      return path(p);
    }
    if (e instanceof OttlExpr.Math m) {
      Value left = value(m.left());
      Value right = value(m.right());
      OttlExpr.MathOp op = m.op();
      return (s, r, ev) -> math(op, left.get(s, r, ev), right.get(s, r, ev));
    }
    OttlExpr.Call call = (OttlExpr.Call) e;
    Value arg = value(call.args().get(0));
    return switch (call.converter()) {
      case INT -> (s, r, ev) -> toInt(arg.get(s, r, ev));
      case DOUBLE -> (s, r, ev) -> toDouble(arg.get(s, r, ev));
      default -> throw new IllegalArgumentException(call.converter().ottlName + " is a condition");
    };
  }

  private static Value path(OttlExpr.PathRef p) {
    String key = p.key();
    return switch (p.field()) {
      case NAME -> (s, r, ev) -> s.getName();
      case KIND -> (s, r, ev) -> (long) s.getKindValue();
      case STATUS_CODE -> (s, r, ev) -> (long) s.getStatus().getCodeValue();
      case STATUS_MESSAGE -> (s, r, ev) -> s.getStatus().getMessage();
      case ATTRIBUTE -> (s, r, ev) -> attribute(s.getAttributesList(), key);
      case RESOURCE_ATTRIBUTE -> (s, r, ev) -> attribute(r.getResource().getAttributesList(), key);
      case TRACE_STATE -> (s, r, ev) -> s.getTraceState();
      case TRACE_STATE_KEY -> (s, r, ev) -> OtelTraceState.entry(s.getTraceState(), key);
      case START_TIME_UNIX_NANO -> (s, r, ev) -> s.getStartTimeUnixNano();
      case END_TIME_UNIX_NANO -> (s, r, ev) -> s.getEndTimeUnixNano();
      case TRACE_ID_STRING -> (s, r, ev) -> TraceIds.hex(s.getTraceId());
      case SPAN_ID_STRING -> (s, r, ev) -> TraceIds.hex(s.getSpanId());
      case PARENT_SPAN_ID_STRING -> (s, r, ev) -> TraceIds.hex(s.getParentSpanId());
      case DROPPED_ATTRIBUTES_COUNT -> (s, r, ev) -> (long) s.getDroppedAttributesCount();
      case EVENT_NAME -> (s, r, ev) -> ev.getName();
      case EVENT_ATTRIBUTE -> (s, r, ev) -> attribute(ev.getAttributesList(), key);
      case EVENT_TIME_UNIX_NANO -> (s, r, ev) -> ev.getTimeUnixNano();
      case EVENT_DROPPED_ATTRIBUTES_COUNT -> (s, r, ev) -> (long) ev.getDroppedAttributesCount();
    };
  }

  /** OTTL's comparison rules (pkg/ottl LANGUAGE.md, "Comparison Rules"). */
  static boolean compare(OttlExpr.CompareOp op, Object a, Object b) {
    int order;
    if (a == null || b == null) {
      boolean equal = a == b;
      return op == OttlExpr.CompareOp.EQ ? equal : op == OttlExpr.CompareOp.NE && !equal;
    } else if (a instanceof Long x && b instanceof Long y) {
      order = Long.compare(x, y);
    } else if (a instanceof Number x && b instanceof Number y) {
      // Primitive comparisons, as Go's: every comparison with NaN but != is false, and -0.0 == 0.0.
      return compareDoubles(op, x.doubleValue(), y.doubleValue());
    } else if (a instanceof String x && b instanceof String y) {
      order = x.compareTo(y);
    } else if (a instanceof Boolean x && b instanceof Boolean y) {
      order = Boolean.compare(x, y);
    } else if (a instanceof ByteString x && b instanceof ByteString y) {
      order = ByteString.unsignedLexicographicalComparator().compare(x, y);
    } else {
      // Maps and lists only compare for (in)equality; different types are "not equal".
      boolean equal = a.getClass() == b.getClass() && a.equals(b);
      return op == OttlExpr.CompareOp.EQ ? equal : op == OttlExpr.CompareOp.NE && !equal;
    }
    return switch (op) {
      case EQ -> order == 0;
      case NE -> order != 0;
      case LT -> order < 0;
      case LE -> order <= 0;
      case GT -> order > 0;
      case GE -> order >= 0;
    };
  }

  private static boolean compareDoubles(OttlExpr.CompareOp op, double x, double y) {
    return switch (op) {
      case EQ -> x == y;
      case NE -> x != y;
      case LT -> x < y;
      case LE -> x <= y;
      case GT -> x > y;
      case GE -> x >= y;
    };
  }

  static Object math(OttlExpr.MathOp op, Object a, Object b) {
    if (a instanceof Long x && b instanceof Long y) {
      return switch (op) {
        case ADD -> x + y;
        case SUBTRACT -> x - y;
        case MULTIPLY -> x * y;
        case DIVIDE -> y == 0 ? null : x / y;
      };
    }
    if (a instanceof Double x && b instanceof Double y) {
      return switch (op) {
        case ADD -> x + y;
        case SUBTRACT -> x - y;
        case MULTIPLY -> x * y;
        case DIVIDE -> y == 0 ? null : x / y;
      };
    }
    return null; // nil, int/float mixes and non-numbers: OTTL's arithmetic errors, as nil
  }

  private static Object toInt(Object v) {
    if (v instanceof Long) {
      return v;
    }
    if (v instanceof Double d) {
      return d.isNaN() ? null : (long) d.doubleValue();
    }
    if (v instanceof Boolean b) {
      return b ? 1L : 0L;
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static Object toDouble(Object v) {
    if (v instanceof Double) {
      return v;
    }
    if (v instanceof Long l) {
      return l.doubleValue();
    }
    if (v instanceof Boolean b) {
      return b ? 1.0 : 0.0;
    }
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** IsMatch's target: strings as they are, numbers and bools as their text; other values none. */
  private static String stringLike(Object v) {
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Long || v instanceof Double || v instanceof Boolean) {
      return v.toString();
    }
    return null;
  }

  private static Object attribute(List<KeyValue> attributes, String key) {
    for (int i = 0, n = attributes.size(); i < n; i++) {
      KeyValue kv = attributes.get(i);
      if (kv.getKey().equals(key)) {
        return unwrap(kv.getValue());
      }
    }
    return null;
  }

  private static Object unwrap(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> v.getBoolValue();
      case INT_VALUE -> v.getIntValue();
      case DOUBLE_VALUE -> v.getDoubleValue();
      case BYTES_VALUE -> v.getBytesValue();
      case KVLIST_VALUE -> v.getKvlistValue();
      case ARRAY_VALUE -> v.getArrayValue();
      default -> null;
    };
  }
}
