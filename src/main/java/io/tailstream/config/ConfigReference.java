package io.tailstream.config;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The files generated from {@link ConfigKeys}: the reference page ({@code docs/configuration.md}),
 * the JSON Schema of {@code tailstream.yaml} and the example that lists every key with its
 * default, except the few it turns on to show them ({@link #SHOWN_ON}). {@code ConfigReferenceTest} compares them with the committed files and writes them
 * again when run with {@code -Dtailstream.regenerate=true}.
 */
public final class ConfigReference {
  /** Where each generated file lives, relative to the project root. */
  public static final String PAGE = "docs/configuration.md";
  public static final String SCHEMA = "src/main/resources/io/tailstream/config.schema.json";
  public static final String EXAMPLE = "examples/tailstream.yaml";

  private static final String DURATION_PATTERN = "^[0-9]+(\\.[0-9]+)?\\s*(ms|s|m|h)$";
  private static final String SIZE_PATTERN = "^[0-9]+(\\.[0-9]+)?\\s*([bB]|[kKmMgG][iI]?[bB])?$";
  private static final String RATE_PATTERN = "^[0-9]+(\\.[0-9]+)?\\s*%?$";
  private static final String TOPIC_PATTERN = "^[a-zA-Z0-9._-]{1,249}$";

  /**
   * Keys the example sets to a value other than their default, because a user copying the example
   * should see them working (each says its default in a comment). Keep this short: the example
   * is otherwise the defaults, which {@code ConfigReferenceTest} checks.
   */
  static final Map<ConfigKey<?>, String> SHOWN_ON = Map.of(ConfigKeys.DECISION_ATTRIBUTES, "root",
      ConfigKeys.STAGES_ENABLED, "true");

  private ConfigReference() {}

  /** Every generated file by its path. */
  public static Map<String, String> files() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put(PAGE, page());
    out.put(SCHEMA, schema());
    out.put(EXAMPLE, example());
    return out;
  }

  static String page() {
    StringBuilder md = new StringBuilder();
    md.append("<!-- Generated from io.tailstream.config.ConfigKeys by ConfigReferenceTest: edit the keys there, then run\n")
        .append("     mvn -B -ntp test -Dtest=ConfigReferenceTest -Dtailstream.regenerate=true -->\n")
        .append("# Configuration reference\n\n")
        .append("What every key of `tailstream.yaml` does, its default, what it accepts and the environment\n")
        .append("variable that overrides it. [`examples/tailstream.yaml`](../examples/tailstream.yaml) lists every\n")
        .append("key with its default, unless a comment there says otherwise; [`config.schema.json`](../" + SCHEMA + ")\n")
        .append("lets an editor check a file as you type. Only `kafka.bootstrap-servers` is required. Unknown keys are errors\n")
        .append("(a typo such as `wiat:` fails with `did you mean 'wait'?`).\n\n")
        .append("| key | default | accepts | meaning | environment variable |\n")
        .append("|---|---|---|---|---|\n");
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      md.append("| `").append(key.path()).append("` | ").append(code(key.defaultText())).append(" | ")
          .append(escape(key.allowed())).append(" | ").append(escape(key.doc())).append(" | `")
          .append(key.envName()).append("` |\n");
    }
    md.append("""

        Durations are written `250ms`, `30s`, `5m`, `1h`; sizes `1048576`, `512KiB`, `8MiB`, `1GiB`; rates
        `1%`, `0.5%` or `0.01`.

        **Environment variables** override single keys: `TAILSTREAM_` and the key's path in upper snake
        case. `TAILSTREAM_KAFKA_PROPERTIES` adds to `kafka.properties` and overrides it key by key, in Java
        properties form (`key=value`, one per line), e.g. a Secret holding `sasl.jaas.config=...`. A
        variable with the prefix that matches no key is logged as a warning.

        **State directory.** Undecided traces that do not fit `memory.heap-buffer` are kept in RocksDB under
        Kafka Streams' `state.dir`; set it through `kafka.properties` (`state.dir: /var/lib/tailstream`). The
        stores are a cache of the log (the input, or the by-trace topic), so a lost state directory costs a
        re-read, not data; a persistent volume makes restarts faster.

        **Defaults tailstream sets** (each can be overridden through `kafka.properties`):
        `processing.guarantee=exactly_once_v2`, `replication.factor=<topics.replication-factor>`,
        `producer.compression.type=lz4`, `producer.batch.size=262144` (by-trace records and kept traces are
        large), internal topics and producer requests up to 16 MiB, RocksDB bounded by the `memory` section.
        """);
    return md.toString();
  }

  static String schema() {
    JsonObject root = new JsonObject();
    root.addProperty("$schema", "http://json-schema.org/draft-07/schema#");
    root.addProperty("$id", "https://tailstream.io/schemas/config.schema.json");
    root.addProperty("title", "tailstream configuration (tailstream.yaml)");
    root.addProperty("description", "Generated from io.tailstream.config.ConfigKeys; see " + PAGE + ".");
    root.addProperty("type", "object");
    root.addProperty("additionalProperties", false);
    JsonArray required = new JsonArray();
    required.add("kafka");
    root.add("required", required);
    JsonObject properties = new JsonObject();
    for (Map.Entry<String, Set<String>> section : ConfigKeys.sections().entrySet()) {
      if (section.getKey().isEmpty()) {
        continue;
      }
      JsonObject object = new JsonObject();
      object.addProperty("type", "object");
      object.addProperty("additionalProperties", false);
      object.add("properties", new JsonObject());
      if (section.getKey().equals("kafka")) {
        JsonArray kafkaRequired = new JsonArray();
        kafkaRequired.add("bootstrap-servers");
        object.add("required", kafkaRequired);
      }
      properties.add(section.getKey(), object);
    }
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      JsonObject parent = key.section().isEmpty() ? properties
          : properties.getAsJsonObject(key.section()).getAsJsonObject("properties");
      parent.add(key.name(), property(key));
    }
    root.add("properties", properties);
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root) + "\n";
  }

  private static JsonObject property(ConfigKey<?> key) {
    JsonObject p = new JsonObject();
    boolean noDefault = key.defaultText().equals("-") || key.defaultText().equals("(required)");
    p.addProperty("description", key.doc() + (noDefault ? "." : ". Default: " + key.defaultText() + "."));
    List<String> types = List.of(key.kind().jsonType().split("\\|"));
    if (types.size() == 1) {
      p.addProperty("type", types.get(0));
    } else {
      JsonArray array = new JsonArray();
      types.forEach(array::add);
      p.add("type", array);
    }
    switch (key.kind()) {
      case DURATION -> p.addProperty("pattern", DURATION_PATTERN);
      case SIZE -> {
        p.addProperty("pattern", SIZE_PATTERN);
        bounds(p, key);
      }
      case RATE -> {
        p.addProperty("pattern", RATE_PATTERN);
        p.addProperty("minimum", 0);
        p.addProperty("maximum", 1);
      }
      case TOPIC -> p.addProperty("pattern", TOPIC_PATTERN);
      case INTEGER, NUMBER -> bounds(p, key);
      case TEXT -> p.addProperty("minLength", 1);
      case CHOICE -> {
        JsonArray values = new JsonArray();
        key.bounds().choices().forEach(values::add);
        p.add("enum", values);
      }
      case PROPERTIES -> {
        JsonObject values = new JsonObject();
        values.add("type", stringOrScalar());
        p.add("additionalProperties", values);
      }
      case STAGE_RULES -> p.add("items", stageRule());
      case BOOLEAN -> { }
      default -> throw new IllegalStateException("no schema for " + key.kind());
    }
    return p;
  }

  /** One entry of {@code stages.mapping}: see {@code io.tailstream.adapt.StageRule}. */
  private static JsonObject stageRule() {
    JsonObject item = new JsonObject();
    item.addProperty("type", "object");
    item.addProperty("additionalProperties", false);
    JsonArray required = new JsonArray();
    required.add("stage");
    item.add("required", required);
    JsonObject props = new JsonObject();
    JsonObject stage = new JsonObject();
    stage.addProperty("type", "string");
    stage.addProperty("pattern", "^[a-z0-9][a-z0-9_-]{0,39}$");
    stage.addProperty("description", "the stage label of the spans this rule matches");
    props.add("stage", stage);
    JsonObject root = new JsonObject();
    root.addProperty("type", "boolean");
    root.addProperty("description", "true: only root spans match");
    props.add("root", root);
    JsonObject attribute = new JsonObject();
    attribute.addProperty("type", "string");
    attribute.addProperty("description", "a span attribute that must be present");
    props.add("attribute", attribute);
    props.add("values", stringOrStrings("the attribute's string value must be one of these"));
    props.add("service", stringOrStrings("service.name must contain one of these (case ignored)"));
    props.add("span-name", stringOrStrings("the span name must contain one of these (case ignored)"));
    item.add("properties", props);
    return item;
  }

  private static JsonObject stringOrStrings(String description) {
    JsonObject p = new JsonObject();
    JsonObject one = new JsonObject();
    one.addProperty("type", "string");
    JsonObject many = new JsonObject();
    many.addProperty("type", "array");
    many.add("items", one);
    JsonArray any = new JsonArray();
    any.add(one);
    any.add(many);
    p.add("oneOf", any);
    p.addProperty("description", description);
    return p;
  }

  /** Kafka settings are strings, but YAML writes numbers and booleans bare. */
  private static JsonArray stringOrScalar() {
    JsonArray array = new JsonArray();
    array.add("string");
    array.add("number");
    array.add("boolean");
    return array;
  }

  private static void bounds(JsonObject p, ConfigKey<?> key) {
    if (key.bounds().min() != null) {
      p.addProperty("minimum", number(key.bounds().min()));
    }
    if (key.bounds().max() != null) {
      p.addProperty("maximum", number(key.bounds().max()));
    }
  }

  private static Number number(double value) {
    return value == Math.rint(value) ? (Number) (long) value : (Number) value;
  }

  static String example() {
    StringBuilder yaml = new StringBuilder();
    yaml.append("# yaml-language-server: $schema=../").append(SCHEMA).append('\n')
        .append("# tailstream configuration: every key with its default, unless a comment says otherwise\n")
        .append("# (generated from ConfigKeys; see ").append(PAGE).append("). Only kafka.bootstrap-servers is required.\n");
    String section = null;
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      if (!key.section().equals(section)) {
        section = key.section();
        if (!section.isEmpty()) {
          yaml.append(section).append(":\n");
        }
      }
      String indent = section.isEmpty() ? "" : "  ";
      wrap(key.doc(), indent + "# ", yaml);
      String value = exampleValue(key);
      if (SHOWN_ON.containsKey(key)) {
        yaml.append(indent).append("# (default: ").append(key.defaultText()).append("; on here to show it)\n");
      }
      if (value == null) {
        yaml.append(indent).append("# ").append(key.name()).append(": ").append(key.defaultText()).append('\n');
      } else {
        yaml.append(indent).append(key.name()).append(": ").append(value).append('\n');
      }
    }
    return yaml.toString();
  }

  /** The value the example writes, or null to show the key commented out (no default, or derived). */
  private static String exampleValue(ConfigKey<?> key) {
    if (key == ConfigKeys.BOOTSTRAP_SERVERS) {
      return "localhost:9092";
    }
    if (SHOWN_ON.containsKey(key)) {
      return SHOWN_ON.get(key);
    }
    if (key.defaultValue() == null) {
      return key.kind() == ConfigKey.Kind.PROPERTIES ? "{}" : null;
    }
    if (key.kind() == ConfigKey.Kind.STAGE_RULES) {
      return null; // the built-in list is long: shown commented, documented in stage-metrics.md
    }
    String text = key.defaultText();
    return text.contains("%") || text.contains(":") ? "\"" + text + "\"" : text;
  }

  /** Appends {@code text} as lines of at most 100 characters, each starting with {@code prefix}. */
  private static void wrap(String text, String prefix, StringBuilder out) {
    StringBuilder line = new StringBuilder(prefix);
    for (String word : text.split(" ")) {
      if (line.length() > prefix.length() && line.length() + 1 + word.length() > 100) {
        out.append(line).append('\n');
        line = new StringBuilder(prefix);
      }
      if (line.length() > prefix.length()) {
        line.append(' ');
      }
      line.append(word);
    }
    out.append(line).append('\n');
  }

  private static String code(String text) {
    return text.equals("-") || text.equals("(required)") ? text : "`" + escape(text) + "`";
  }

  private static String escape(String text) {
    return text.replace("|", "\\|");
  }
}
