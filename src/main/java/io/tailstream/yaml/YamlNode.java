package io.tailstream.yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * A read-only view of one node of a YAML document that remembers where it came from, so that every
 * error can name the file, the line and the key path. Built on snakeyaml-engine's composed node
 * tree (not on a data-binding library) because that tree keeps positions.
 */
public final class YamlNode {
  /** Config and rules files are small; anything larger than this is refused. */
  public static final int MAX_CODE_POINTS = 2_000_000;

  private final Node node;
  private final String source;
  private final String path;

  private YamlNode(Node node, String source, String path) {
    this.node = node;
    this.source = source;
    this.path = path;
  }

  /** Reads a YAML file; an empty file is an empty mapping. */
  public static YamlNode load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new YamlException("cannot read " + file + ": " + e.getMessage());
    }
    return parse(text, file.toString());
  }

  /** Parses YAML text; {@code source} names it in error messages (usually the file path). */
  public static YamlNode parse(String text, String source) {
    if (text.length() > MAX_CODE_POINTS) {
      throw new YamlException(source + ": " + text.length() + " characters; at most "
          + MAX_CODE_POINTS + " are read");
    }
    // Composing builds nodes only (no object construction from tags); bounded size here, bounded
    // depth, recursion and alias expansion in BoundedEvents.
    LoadSettings settings = LoadSettings.builder().setLabel(source)
        .setCodePointLimit(MAX_CODE_POINTS)
        .setMaxAliasesForCollections(BoundedEvents.MAX_COLLECTION_ALIASES).build();
    try {
      Parser events =
          new BoundedEvents(new ParserImpl(settings, new StreamReader(settings, text)), source);
      Optional<Node> root = new Composer(settings, events).getSingleNode();
      if (root.isEmpty()) {
        return new YamlNode(new MappingNode(org.snakeyaml.engine.v2.nodes.Tag.MAP, List.of(),
            org.snakeyaml.engine.v2.common.FlowStyle.AUTO), source, "");
      }
      return new YamlNode(root.get(), source, "");
    } catch (MarkedYamlEngineException e) {
      String at = e.getProblemMark().map(m -> (m.getLine() + 1) + ":" + (m.getColumn() + 1)).orElse("0:0");
      throw new YamlException(source + ":" + at + ": not valid YAML: " + e.getProblem());
    } catch (YamlEngineException e) {
      throw new YamlException(source + ": not valid YAML: " + e.getMessage());
    }
  }

  public String source() {
    return source;
  }

  /** Dotted key path from the document root, e.g. {@code decision.wait} or {@code rules[2].keep}. */
  public String path() {
    return path;
  }

  /** The same node under another path label (e.g. to name a list item in messages). */
  public YamlNode relabeled(String newPath) {
    return new YamlNode(node, source, newPath);
  }

  /** 1-based line of the node's start, 0 when unknown. */
  public int line() {
    return node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
  }

  /** 1-based column of the node's start, 0 when unknown. */
  public int column() {
    return node.getStartMark().map(m -> m.getColumn() + 1).orElse(0);
  }

  /** "file:line:column" for messages. */
  public String location() {
    return source + ":" + line() + ":" + column();
  }

  public boolean isMap() {
    return node instanceof MappingNode;
  }

  public boolean isList() {
    return node instanceof SequenceNode;
  }

  public boolean isScalar() {
    return node instanceof ScalarNode;
  }

  /** A scalar's text; an error when this node is a mapping or a list. */
  public String scalar() {
    if (!(node instanceof ScalarNode scalar)) {
      throw error("expected a single value, found a " + kind());
    }
    return scalar.getValue();
  }

  /** True for an explicit YAML null ({@code ~}, {@code null} or nothing). */
  public boolean isNull() {
    return node instanceof ScalarNode scalar
        && scalar.getTag().equals(org.snakeyaml.engine.v2.nodes.Tag.NULL);
  }

  /** The entries of a mapping in document order; duplicate keys are an error. */
  public Map<String, YamlNode> entries() {
    if (!(node instanceof MappingNode mapping)) {
      throw error("expected a mapping of keys to values, found a " + kind());
    }
    Map<String, YamlNode> out = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        throw new YamlNode(tuple.getKeyNode(), source, path).error("keys must be plain strings");
      }
      String key = keyNode.getValue();
      YamlNode value = new YamlNode(tuple.getValueNode(), source, child(key));
      if (out.put(key, value) != null) {
        throw value.error("duplicate key '" + key + "'");
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** The value under {@code key} of this mapping, if present. */
  public Optional<YamlNode> get(String key) {
    return Optional.ofNullable(entries().get(key));
  }

  /** The items of a list. */
  public List<YamlNode> items() {
    if (!(node instanceof SequenceNode sequence)) {
      throw error("expected a list, found a " + kind());
    }
    List<YamlNode> out = new ArrayList<>();
    List<Node> values = sequence.getValue();
    for (int i = 0; i < values.size(); i++) {
      out.add(new YamlNode(values.get(i), source, path + "[" + i + "]"));
    }
    return out;
  }

  /**
   * Fails on the first key of this mapping that is not allowed: typos must not pass silently.
   */
  public YamlNode requireKeys(Set<String> allowed) {
    entries(); // a mapping, without duplicate keys
    for (NodeTuple tuple : ((MappingNode) node).getValue()) {
      String key = ((ScalarNode) tuple.getKeyNode()).getValue();
      if (!allowed.contains(key)) {
        String where = path.isEmpty() ? "at the top level" : "under '" + path + "'";
        String suggestion = closest(key, allowed);
        throw new YamlNode(tuple.getKeyNode(), source, child(key)).error("unknown key '" + key
            + "' " + where + (suggestion == null ? "" : " (did you mean '" + suggestion + "'?)")
            + "; allowed: " + String.join(", ", new TreeSet<>(allowed)));
      }
    }
    return this;
  }

  /** The allowed key within edit distance 2 of a typo, if any. */
  private static String closest(String key, Set<String> allowed) {
    String best = null;
    int bestDistance = 3;
    for (String candidate : allowed) {
      int d = editDistance(key, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** An error located at this node: "file:line: key: message". */
  public YamlException error(String message) {
    String key = path.isEmpty() ? "" : " " + path + ":";
    return new YamlException(location() + ":" + key + " " + message);
  }

  private String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private String kind() {
    if (node instanceof MappingNode) {
      return "mapping";
    }
    return node instanceof SequenceNode ? "list" : "value '" + ((ScalarNode) node).getValue() + "'";
  }

  @Override
  public String toString() {
    return location() + " " + path;
  }
}
