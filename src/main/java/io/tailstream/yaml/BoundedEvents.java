package io.tailstream.yaml;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.parser.Parser;

/**
 * The parser's event stream, refused as soon as the document takes a shape that would make
 * composing it, or walking the composed tree, unbounded. Three shapes, each seen in an attack on
 * YAML loaders and each able to stop a hot reload:
 *
 * <ul>
 *   <li><b>A recursive alias</b> ({@code keep: &k { not: *k }}): the composer accepts it and
 *       builds a node that contains itself, so any walk of the tree recurses until the stack
 *       overflows. Refused at the alias.
 *   <li><b>Deep nesting</b> ({@code [[[[…]]]]}, a million brackets fit in the size limit): the
 *       composer recurses once per level and overflows the stack. Refused beyond
 *       {@link #MAX_DEPTH} levels, before the composer goes deeper.
 *   <li><b>An alias bomb</b> ("billion laughs": each level lists the previous one several
 *       times): the composed graph stays small because aliases share nodes, but a walk of it
 *       visits every path. Refused when the tree as walked, every alias expanded, would exceed
 *       {@link #MAX_EXPANDED_NODES}, and when more than {@link #MAX_COLLECTION_ALIASES} aliases
 *       name a list or a mapping.
 * </ul>
 *
 * <p>Why here and not in the composer's settings: snakeyaml-engine 2.10 has a limit on collection
 * aliases but none on depth or on recursion of values, and its alias limit fails without a
 * position. Checking the events keeps one pass and lets every refusal name file, line and column.
 *
 * <p>Bookkeeping: one frame per open collection (the stack), and for each anchor the frame it
 * names (open while its collection is being read) and its expanded node count. The node count
 * of the document as walked grows by one per scalar or collection start and by the anchor's
 * expanded count per alias.
 */
final class BoundedEvents implements Parser {
  /** Deeper than any config or rules file needs (a rule is ~6 levels, each all-of/not 2 more). */
  static final int MAX_DEPTH = 64;
  /**
   * As many nodes as the largest file without aliases could hold: aliases may save typing, not
   * multiply the work of reading the file.
   */
  static final long MAX_EXPANDED_NODES = YamlNode.MAX_CODE_POINTS / 2;
  /** Kept equal to the composer's own limit, which then never fires without a position. */
  static final int MAX_COLLECTION_ALIASES = 20;

  private final Parser delegate;
  private final String source;
  private final Deque<Frame> open = new ArrayDeque<>();
  private final Map<Anchor, Frame> anchors = new HashMap<>();
  private long expandedNodes;
  private int collectionAliases;

  BoundedEvents(Parser delegate, String source) {
    this.delegate = delegate;
    this.source = source;
  }

  /** A collection being read, or a finished node an anchor names. */
  private static final class Frame {
    final long nodesBefore;
    final boolean collection;
    boolean open;
    long expandedSize;

    Frame(long nodesBefore, boolean collection, boolean open, long expandedSize) {
      this.nodesBefore = nodesBefore;
      this.collection = collection;
      this.open = open;
      this.expandedSize = expandedSize;
    }
  }

  @Override
  public boolean checkEvent(Event.ID choice) {
    return delegate.checkEvent(choice);
  }

  @Override
  public Event peekEvent() {
    return delegate.peekEvent();
  }

  @Override
  public boolean hasNext() {
    return delegate.hasNext();
  }

  @Override
  public Event next() {
    Event event = delegate.next();
    switch (event.getEventId()) {
      case SequenceStart, MappingStart -> enter(event);
      case SequenceEnd, MappingEnd -> leave();
      case Scalar -> {
        count(1, event);
        anchor(event).ifPresent(a -> anchors.put(a, new Frame(expandedNodes - 1, false, false, 1)));
      }
      case Alias -> alias((AliasEvent) event);
      default -> {
        // stream, document and comment events carry no nodes
      }
    }
    return event;
  }

  private void enter(Event event) {
    if (open.size() >= MAX_DEPTH) {
      throw refused(event, "nested more than " + MAX_DEPTH + " levels deep; config and rules "
          + "files need far fewer");
    }
    count(1, event);
    Frame frame = new Frame(expandedNodes - 1, true, true, 0);
    open.push(frame);
    anchor(event).ifPresent(a -> anchors.put(a, frame));
  }

  private void leave() {
    Frame frame = open.pop();
    frame.open = false;
    frame.expandedSize = expandedNodes - frame.nodesBefore;
  }

  private void alias(AliasEvent event) {
    Frame target = anchors.get(event.getAlias());
    if (target == null) {
      return; // an undefined alias: the composer refuses it with its position
    }
    String name = "*" + event.getAlias().getValue();
    if (target.open) {
      throw refused(event, "recursive alias " + name + ": it names the "
          + "list or mapping that contains it, which would never end");
    }
    if (target.collection && ++collectionAliases > MAX_COLLECTION_ALIASES) {
      throw refused(event, "alias " + name + " is alias number " + collectionAliases
          + " to a list or mapping; at most " + MAX_COLLECTION_ALIASES + " are allowed");
    }
    count(target.expandedSize, event);
  }

  private void count(long nodes, Event at) {
    expandedNodes = expandedNodes + nodes;
    if (expandedNodes > MAX_EXPANDED_NODES) {
      throw refused(at, "more than " + MAX_EXPANDED_NODES + " values once aliases are "
          + "expanded (an alias bomb?)");
    }
  }

  private static Optional<Anchor> anchor(Event event) {
    return event instanceof NodeEvent node ? node.getAnchor() : Optional.empty();
  }

  private YamlException refused(Event at, String why) {
    String where = at.getStartMark().map(BoundedEvents::position).orElse("0:0");
    return new YamlException(source + ":" + where + ": not accepted: " + why);
  }

  private static String position(Mark mark) {
    return (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
  }
}
