package io.tailstream.decide;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The span-level facts the compiled rules need, computed once per span when a record is split and
 * then carried in each trace's summary as a {@code long[]}, so that conditions on attributes,
 * names, services, statuses and stage latencies are decided from the summary without reading the
 * buffered spans.
 *
 * <p>Every feature merges by taking the maximum, which is why "all spans match" is stored as its
 * negation ("some span failed"): ANY and SOME_FAILED are 0/1, ROOT is -1 until a root span is seen
 * then 0/1, MAX_DURATION is the longest matching span in nanoseconds or -1.
 *
 * <p>{@link #id()} hashes the features' canonical descriptions: summaries built under another
 * feature set (rules reloaded while traces were buffered) are recognized and their facts are
 * recomputed from the buffered spans.
 */
final class FeatureSet {
  enum Kind { ANY, SOME_FAILED, ROOT, MAX_DURATION }

  /** Summaries store the features with a two-byte count (the V1 internal format). */
  static final int MAX_FEATURES = Short.MAX_VALUE;

  record Feature(Kind kind, String key, SpanMatcher matcher) {}

  static final FeatureSet EMPTY = new FeatureSet(List.of());

  private final List<Feature> features;
  private final int id;

  private FeatureSet(List<Feature> features) {
    this.features = List.copyOf(features);
    this.id = features.isEmpty() ? 0 : hash(features);
  }

  int id() {
    return id;
  }

  int size() {
    return features.size();
  }

  Feature get(int i) {
    return features.get(i);
  }

  /** The value of each feature before any span was seen. */
  long[] initial() {
    long[] values = new long[features.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = switch (features.get(i).kind()) {
        case ANY, SOME_FAILED -> 0;
        case ROOT, MAX_DURATION -> -1;
      };
    }
    return values;
  }

  private static int hash(List<Feature> features) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Feature f : features) {
        sha.update((f.kind() + ":" + f.key() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      byte[] d = sha.digest();
      int h = ((d[0] & 0xFF) << 24) | ((d[1] & 0xFF) << 16) | ((d[2] & 0xFF) << 8) | (d[3] & 0xFF);
      return h == 0 || h == TraceFacts.STALE_FEATURES ? 1 : h;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Collects features while rules compile; equal features are shared. */
  static final class Builder {
    private final Map<String, Integer> index = new LinkedHashMap<>();
    private final List<Feature> features = new ArrayList<>();

    int add(Kind kind, String key, Supplier<SpanMatcher> matcher) {
      return index.computeIfAbsent(kind + ":" + key, k -> {
        features.add(new Feature(kind, key, matcher.get()));
        return features.size() - 1;
      });
    }

    FeatureSet build() {
      if (features.size() > MAX_FEATURES) {
        throw new IllegalArgumentException("the rules need " + features.size()
            + " distinct span conditions; at most " + MAX_FEATURES + " are supported");
      }
      return features.isEmpty() ? EMPTY : new FeatureSet(features);
    }
  }
}
