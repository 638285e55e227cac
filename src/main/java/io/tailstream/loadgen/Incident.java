package io.tailstream.loadgen;

import io.tailstream.yaml.Units;
import java.time.Duration;
import java.util.Locale;

/**
 * An injected incident: {@code KIND:TARGET@START[+DURATION]}, e.g. {@code error-burst:ranker-v3@60s},
 * {@code latency-spike:embedder-v2@2m+30s}, {@code slow-feature-store:feature-store@90s}.
 * Kinds: {@code error-burst} (a model's inferences fail), {@code latency-spike} (a model's
 * inferences take seconds), {@code slow-feature-store} (feature retrieval takes half a second).
 */
public record Incident(Kind kind, String target, Duration start, Duration duration) {
  public enum Kind {
    ERROR_BURST("error-burst"), LATENCY_SPIKE("latency-spike"), SLOW_FEATURE_STORE("slow-feature-store");

    final String text;

    Kind(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  public static final Duration DEFAULT_DURATION = Duration.ofSeconds(20);

  public static Incident parse(String spec) {
    String usage = "expected KIND:TARGET@START[+DURATION], e.g. error-burst:ranker-v3@60s; "
        + "kinds: error-burst, latency-spike, slow-feature-store";
    int colon = spec.indexOf(':');
    int at = spec.indexOf('@');
    if (colon < 1 || at < colon + 2) {
      throw new IllegalArgumentException(usage + ", got '" + spec + "'");
    }
    String kindText = spec.substring(0, colon).toLowerCase(Locale.ROOT);
    Kind kind = null;
    for (Kind k : Kind.values()) {
      if (k.text.equals(kindText)) {
        kind = k;
      }
    }
    if (kind == null) {
      throw new IllegalArgumentException(usage + ", got kind '" + kindText + "'");
    }
    String when = spec.substring(at + 1);
    int plus = when.indexOf('+');
    Duration start = Units.duration(plus < 0 ? when : when.substring(0, plus));
    Duration duration = plus < 0 ? DEFAULT_DURATION : Units.duration(when.substring(plus + 1));
    return new Incident(kind, spec.substring(colon + 1, at), start, duration);
  }

  public boolean activeAt(Duration elapsed) {
    return elapsed.compareTo(start) >= 0 && elapsed.compareTo(start.plus(duration)) < 0;
  }

  @Override
  public String toString() {
    return kind + ":" + target + "@" + Units.format(start) + "+" + Units.format(duration);
  }
}
