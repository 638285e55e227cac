package io.tailstream.rules.ottl;

import java.util.List;
import java.util.Objects;

/**
 * A parsed OTTL condition (the subset docs/rules.md lists), as an immutable tree compared by
 * content. {@link OttlParser} builds it and checks it; {@code decide} compiles it to a span test.
 */
public sealed interface OttlExpr {

  /** Whether the expression is a boolean (a condition) rather than a value. */
  boolean isCondition();

  /** {@code "text"}, {@code 42}, {@code 1.5}, {@code true}, {@code nil} and enums (as their int). */
  record Literal(Object value) implements OttlExpr {
    @Override
    public boolean isCondition() {
      return value instanceof Boolean;
    }

    /** Typed, since the compiler shares features by this text: "1" is not 1, nor 1.0, nor nil. */
    @Override
    public String toString() {
      if (value == null) {
        return "nil";
      }
      return value instanceof String s ? '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"'
          : value.getClass().getSimpleName() + ":" + value;
    }
  }

  /** A telemetry field: which one, and the map key for attribute and tracestate paths. */
  record PathRef(Field field, String key) implements OttlExpr {
    public PathRef {
      Objects.requireNonNull(field, "field");
    }

    @Override
    public boolean isCondition() {
      return false;
    }
  }

  /** The fields a path can name; the {@code EVENT_} ones only in the span event context. */
  enum Field {
    NAME, KIND, STATUS_CODE, STATUS_MESSAGE, ATTRIBUTE, RESOURCE_ATTRIBUTE,
    TRACE_STATE, TRACE_STATE_KEY, START_TIME_UNIX_NANO, END_TIME_UNIX_NANO, TRACE_ID_STRING,
    SPAN_ID_STRING, PARENT_SPAN_ID_STRING, DROPPED_ATTRIBUTES_COUNT, EVENT_NAME, EVENT_ATTRIBUTE,
    EVENT_TIME_UNIX_NANO, EVENT_DROPPED_ATTRIBUTES_COUNT
  }

  enum MathOp { ADD, SUBTRACT, MULTIPLY, DIVIDE }

  record Math(MathOp op, OttlExpr left, OttlExpr right) implements OttlExpr {
    @Override
    public boolean isCondition() {
      return false;
    }
  }

  enum CompareOp { EQ, NE, LT, LE, GT, GE }

  record Compare(CompareOp op, OttlExpr left, OttlExpr right) implements OttlExpr {
    @Override
    public boolean isCondition() {
      return true;
    }
  }

  record And(List<OttlExpr> parts) implements OttlExpr {
    public And {
      parts = List.copyOf(parts);
    }

    @Override
    public boolean isCondition() {
      return true;
    }
  }

  record Or(List<OttlExpr> parts) implements OttlExpr {
    public Or {
      parts = List.copyOf(parts);
    }

    @Override
    public boolean isCondition() {
      return true;
    }
  }

  record Not(OttlExpr operand) implements OttlExpr {
    @Override
    public boolean isCondition() {
      return true;
    }
  }

  /** The converters supported, with their arity; the {@code IS_} ones and IsMatch are conditions. */
  enum Converter {
    IS_MATCH("IsMatch", 2, true), IS_STRING("IsString", 1, true), IS_INT("IsInt", 1, true),
    IS_DOUBLE("IsDouble", 1, true), IS_BOOL("IsBool", 1, true), IS_MAP("IsMap", 1, true),
    IS_LIST("IsList", 1, true), INT("Int", 1, false), DOUBLE("Double", 1, false);

    public final String ottlName;
    public final int arity;
    public final boolean condition;

    Converter(String ottlName, int arity, boolean condition) {
      this.ottlName = ottlName;
      this.arity = arity;
      this.condition = condition;
    }
  }

  record Call(Converter converter, List<OttlExpr> args) implements OttlExpr {
    public Call {
      args = List.copyOf(args);
    }

    @Override
    public boolean isCondition() {
      return converter.condition;
    }
  }
}
