package io.tailstream.config;

import io.tailstream.yaml.Units;
import io.tailstream.yaml.YamlNode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * One key of {@code tailstream.yaml}: where it is, what it holds, its default, how a value is
 * parsed and checked, and one line of documentation. {@link ConfigKeys} lists them all; the
 * loader reads through them, and the reference page, the JSON Schema and the example file are
 * generated from them ({@link ConfigReference}), so the four cannot drift apart.
 *
 * @param path dotted path, e.g. {@code decision.wait}
 * @param kind what the value is, for the docs and the schema
 * @param defaultValue the value when the key is absent; null when there is none or it is derived
 * @param defaultText the default as the docs and the example show it ("-" for none)
 * @param parser parses and checks one value; an {@link IllegalArgumentException} says why not
 * @param allowed what a valid value looks like, for error messages and the docs
 * @param doc one line: what the key does
 * @param bounds numeric bounds or choices, for the schema
 * @param nodeParser for a structured value (a list of mappings), parses it from its YAML node,
 *     throwing a {@code YamlException} located at the bad item; null for scalars
 */
public record ConfigKey<T>(String path, Kind kind, T defaultValue, String defaultText,
    Function<String, T> parser, String allowed, String doc, Bounds bounds,
    Function<YamlNode, T> nodeParser) {

  ConfigKey(String path, Kind kind, T defaultValue, String defaultText, Function<String, T> parser,
      String allowed, String doc, Bounds bounds) {
    this(path, kind, defaultValue, defaultText, parser, allowed, doc, bounds, null);
  }

  /** The forms a value takes; each maps to a JSON Schema type. */
  public enum Kind {
    TEXT("string"), TOPIC("string"), DURATION("string"), SIZE("string|integer"), INTEGER("integer"),
    NUMBER("number"), RATE("string|number"), BOOLEAN("boolean"), CHOICE("string"),
    PROPERTIES("object"), STAGE_RULES("array");

    private final String jsonType;

    Kind(String jsonType) {
      this.jsonType = jsonType;
    }

    /** The JSON Schema type(s), '|'-separated. */
    public String jsonType() {
      return jsonType;
    }
  }

  /** Numeric bounds of integers, numbers and sizes (for the schema), or the choices of a choice. */
  public record Bounds(Double min, Double max, List<String> choices) {
    static final Bounds NONE = new Bounds(null, null, List.of());

    static Bounds of(double min, double max) {
      return new Bounds(min, max, List.of());
    }
  }

  /** The first segment of the path: {@code ""} for a top-level key. */
  public String section() {
    int dot = path.indexOf('.');
    return dot < 0 ? "" : path.substring(0, dot);
  }

  /** The last segment of the path. */
  public String name() {
    return path.substring(path.indexOf('.') + 1);
  }

  /** {@code decision.after-root} → {@code TAILSTREAM_DECISION_AFTER_ROOT}. */
  public String envName() {
    return envName(path);
  }

  static String envName(String path) {
    return ConfigLoader.ENV_PREFIX + path.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  static ConfigKey<String> text(String path, String defaultValue, String allowed, String doc) {
    return new ConfigKey<>(path, Kind.TEXT, defaultValue, defaultValue == null ? "-" : defaultValue,
        ConfigKey::nonBlank, allowed, doc, Bounds.NONE);
  }

  /** Text without a default; the loader says it is required when it is absent or blank. */
  static ConfigKey<String> required(String path, String allowed, String doc) {
    return new ConfigKey<>(path, Kind.TEXT, null, "(required)", Function.identity(), allowed, doc, Bounds.NONE);
  }

  static ConfigKey<String> topic(String path, String defaultValue, String doc) {
    return new ConfigKey<>(path, Kind.TOPIC, defaultValue, defaultValue, ConfigKey::topicName,
        "a topic name", doc, Bounds.NONE);
  }

  /** A topic whose default is derived from other keys ({@code defaultText} says how). */
  static ConfigKey<String> derivedTopic(String path, String defaultText, String doc) {
    return new ConfigKey<>(path, Kind.TOPIC, null, defaultText, ConfigKey::topicName,
        "a topic name", doc, Bounds.NONE);
  }

  /** Any duration, zero included. */
  static ConfigKey<Duration> duration(String path, Duration defaultValue, String doc) {
    return new ConfigKey<>(path, Kind.DURATION, defaultValue, Units.format(defaultValue), Units::duration,
        Units.DURATION_FORMS, doc, Bounds.NONE);
  }

  /** A duration above zero. */
  static ConfigKey<Duration> positive(String path, Duration defaultValue, String doc) {
    return new ConfigKey<>(path, Kind.DURATION, defaultValue, Units.format(defaultValue), s -> {
      Duration d = Units.duration(s);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException("expected a duration above zero, such as 500ms or 5s");
      }
      return d;
    }, Units.DURATION_FORMS, doc, Bounds.NONE);
  }

  /** A duration of at least a second; {@code defaultText} when the default is derived (null). */
  static ConfigKey<Duration> atLeastOneSecond(String path, Duration defaultValue, String defaultText,
      String why, String doc) {
    return new ConfigKey<>(path, Kind.DURATION, defaultValue,
        defaultValue == null ? defaultText : Units.format(defaultValue), s -> {
          Duration d = Units.duration(s);
          if (d.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("expected at least 1s: " + why);
          }
          return d;
        }, Units.DURATION_FORMS + ", at least 1s", doc, Bounds.NONE);
  }

  /** A size in bytes from {@code min} to {@code max}; {@code range} says so in words. */
  static ConfigKey<Long> size(String path, long defaultValue, long min, long max, String range, String doc) {
    return new ConfigKey<>(path, Kind.SIZE, defaultValue, Units.formatBytes(defaultValue), s -> {
      long value = Units.bytes(s);
      if (value < min || value > max) {
        throw new IllegalArgumentException("out of range: expected from " + min + " to " + max + " bytes");
      }
      return value;
    }, Units.SIZE_FORMS + (range.isEmpty() ? "" : ", " + range), doc, Bounds.of(min, max));
  }

  static ConfigKey<Integer> integer(String path, int defaultValue, int min, int max, String allowed,
      String doc) {
    return new ConfigKey<>(path, Kind.INTEGER, defaultValue, Integer.toString(defaultValue), s -> {
      long value;
      try {
        value = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected an integer from " + min + " to " + max);
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException("expected an integer from " + min + " to " + max);
      }
      return (int) value;
    }, allowed, doc, Bounds.of(min, max));
  }

  static ConfigKey<Double> number(String path, double defaultValue, double min, double max,
      String allowed, String doc) {
    return new ConfigKey<>(path, Kind.NUMBER, defaultValue, plain(defaultValue), s -> {
      double value;
      try {
        value = Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected a number from " + min + " to " + max);
      }
      if (!(value >= min && value <= max)) {
        throw new IllegalArgumentException("expected a number from " + min + " to " + max);
      }
      return value;
    }, allowed, doc, Bounds.of(min, max));
  }

  static ConfigKey<Double> rate(String path, double defaultValue, String doc) {
    return new ConfigKey<>(path, Kind.RATE, defaultValue, plain(Math.round(defaultValue * 10_000) / 100.0) + "%", Units::rate,
        Units.RATE_FORMS, doc, Bounds.NONE);
  }

  static ConfigKey<Boolean> bool(String path, boolean defaultValue, String doc) {
    return new ConfigKey<>(path, Kind.BOOLEAN, defaultValue, Boolean.toString(defaultValue), s ->
        switch (s.trim().toLowerCase(Locale.ROOT)) {
          case "true" -> true;
          case "false" -> false;
          default -> throw new IllegalArgumentException("expected true or false");
        }, "true or false", doc, Bounds.NONE);
  }

  static <T> ConfigKey<T> choice(String path, T defaultValue, String defaultText,
      Function<String, T> parser, List<String> choices, String doc) {
    return new ConfigKey<>(path, Kind.CHOICE, defaultValue, defaultText, parser,
        String.join(" or ", choices), doc, new Bounds(null, null, choices));
  }

  /**
   * A list of mappings; in an environment variable, the same list in YAML flow form
   * ({@code [{stage: request, root: true}]}).
   */
  static <T> ConfigKey<T> stageRules(String path, T defaultValue, String defaultText,
      Function<YamlNode, T> nodeParser, String allowed, String doc) {
    return new ConfigKey<>(path, Kind.STAGE_RULES, defaultValue, defaultText,
        s -> nodeParser.apply(YamlNode.parse(s, envName(path))), allowed, doc, Bounds.NONE, nodeParser);
  }

  static ConfigKey<Void> properties(String path, String doc) {
    return new ConfigKey<>(path, Kind.PROPERTIES, null, "{}", s -> null,
        "a mapping of Kafka client and Streams settings", doc, Bounds.NONE);
  }

  private static String plain(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value) : Double.toString(value);
  }

  private static String nonBlank(String s) {
    if (s.isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return s.trim();
  }

  private static String topicName(String s) {
    if (!s.matches("[a-zA-Z0-9._-]{1,249}")) {
      throw new IllegalArgumentException(
          "expected a Kafka topic name: 1 to 249 of letters, digits, '.', '_' and '-'");
    }
    return s;
  }
}
