package io.tailstream.importer;

import io.tailstream.rules.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A condition as imported, before it is written as rules YAML: tailstream's own {@link Condition}s
 * combined with all/any/not, plus {@code ottl:} conditions kept as the Collector's text (the
 * written file is parsed, and an OTTL condition outside tailstream's subset refused, before it is
 * written; {@link Condition.Ottl} would need the parse here). {@link #TRUE} and {@link #FALSE}
 * exist only while building: the factories fold them away, and a rule never holds one inside a
 * combination.
 */
public sealed interface Expr {
  Expr TRUE = new Constant(true);
  Expr FALSE = new Constant(false);

  record Constant(boolean value) implements Expr {}

  record Leaf(Condition condition) implements Expr {
    public Leaf {
      Objects.requireNonNull(condition, "condition");
    }
  }

  /** {@code ottl: { span: [...], spanevent: [...] }}: any condition on any span or span event. */
  record Ottl(List<String> span, List<String> spanEvent) implements Expr {
    public Ottl {
      span = List.copyOf(span);
      spanEvent = List.copyOf(spanEvent);
    }
  }

  record All(List<Expr> items) implements Expr {
    public All {
      items = List.copyOf(items);
    }
  }

  record Any(List<Expr> items) implements Expr {
    public Any {
      items = List.copyOf(items);
    }
  }

  record Not(Expr item) implements Expr {
    public Not {
      Objects.requireNonNull(item, "item");
    }
  }

  static Expr of(Condition condition) {
    return new Leaf(condition);
  }

  static Expr all(List<Expr> items) {
    List<Expr> kept = new ArrayList<>();
    for (Expr e : items) {
      if (e == FALSE) {
        return FALSE;
      }
      if (e instanceof All a) {
        kept.addAll(a.items());
      } else if (e != TRUE) {
        kept.add(e);
      }
    }
    return kept.isEmpty() ? TRUE : kept.size() == 1 ? kept.get(0) : new All(kept);
  }

  static Expr any(List<Expr> items) {
    List<Expr> kept = new ArrayList<>();
    for (Expr e : items) {
      if (e == TRUE) {
        return TRUE;
      }
      if (e instanceof Any a) {
        kept.addAll(a.items());
      } else if (e != FALSE) {
        kept.add(e);
      }
    }
    return kept.isEmpty() ? FALSE : kept.size() == 1 ? kept.get(0) : new Any(kept);
  }

  static Expr not(Expr e) {
    if (e instanceof Constant c) {
      return c.value() ? FALSE : TRUE;
    }
    return e instanceof Not n ? n.item() : new Not(e);
  }

  /** Whether this holds an {@code ottl:} condition anywhere. */
  default boolean usesOttl() {
    if (this instanceof Ottl) {
      return true;
    }
    if (this instanceof All a) {
      return a.items().stream().anyMatch(Expr::usesOttl);
    }
    if (this instanceof Any a) {
      return a.items().stream().anyMatch(Expr::usesOttl);
    }
    return this instanceof Not n && n.item().usesOttl();
  }
}
