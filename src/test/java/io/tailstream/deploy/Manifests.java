package io.tailstream.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** YAML documents of deployment files, walked by key path ("spec.template.spec"). */
final class Manifests {
  private Manifests() {}

  static List<Map<String, Object>> load(Path file) throws IOException {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
      if (doc != null) {
        docs.add(map(doc));
      }
    }
    return docs;
  }

  static Map<String, Object> one(Path file) throws IOException {
    List<Map<String, Object>> docs = load(file);
    if (docs.size() != 1) {
      throw new AssertionError(file + " has " + docs.size() + " documents, expected one");
    }
    return docs.get(0);
  }

  static Map<String, Object> parse(String yaml) {
    return map(new Load(LoadSettings.builder().build()).loadFromString(yaml));
  }

  /** The value at a dotted path; fails with the path when a step is missing. */
  static Object at(Object node, String path) {
    Object current = node;
    for (String step : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> m) || !m.containsKey(step)) {
        throw new AssertionError("no '" + step + "' on the way to '" + path + "' in " + node);
      }
      current = m.get(step);
    }
    return current;
  }

  static Map<String, Object> mapAt(Object node, String path) {
    return map(at(node, path));
  }

  @SuppressWarnings("unchecked")
  static List<Object> listAt(Object node, String path) {
    return (List<Object>) at(node, path);
  }

  /** The element of a list of maps whose "name" is {@code name}. */
  static Map<String, Object> named(List<Object> list, String name) {
    for (Object o : list) {
      if (name.equals(map(o).get("name"))) {
        return map(o);
      }
    }
    throw new AssertionError("nothing named '" + name + "' in " + list);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    if (!(o instanceof Map)) {
      throw new AssertionError("expected a mapping, got " + o);
    }
    return (Map<String, Object>) o;
  }
}
