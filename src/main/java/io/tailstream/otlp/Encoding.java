package io.tailstream.otlp;

import java.util.Locale;

/** The OpenTelemetry Collector's Kafka encodings for traces that tailstream reads and writes. */
public enum Encoding {
  /** A serialized {@code ExportTraceServiceRequest} per record (the collector's default). */
  OTLP_PROTO("otlp_proto"),
  /** The same message in OTLP/JSON. */
  OTLP_JSON("otlp_json");

  private final String configName;

  Encoding(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  public static Encoding parse(String name) {
    String normalized = name.trim().toLowerCase(Locale.ROOT);
    for (Encoding e : values()) {
      if (e.configName.equals(normalized)) {
        return e;
      }
    }
    throw new IllegalArgumentException("expected otlp_proto or otlp_json");
  }

  @Override
  public String toString() {
    return configName;
  }
}
