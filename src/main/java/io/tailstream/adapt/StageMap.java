package io.tailstream.adapt;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pipeline stage of a span, from the ordered {@code stages.mapping} rules: the first rule
 * that matches names it, {@link #OTHER} when none does. Stages are numbered (their order of
 * first appearance in the rules, then {@link #OTHER}), so the hot path passes an int and the
 * meters index an array.
 *
 * <p>Design: this runs on every span at split time, before sampling. It allocates nothing: span
 * names are matched on their bytes ({@link Span#getNameBytes()}, never turned into a String),
 * attribute values on {@link ByteString}s prepared here, service names (the cached Resource's own
 * String) once per distinct name: which rules' service conditions hold is a bit mask cached per
 * service name (up to {@value #MAX_CACHED_SERVICES}; names past that are matched each time), since
 * matching every fragment at every position of the name, per span, was most of the cost. Attribute
 * keys are Strings the facts extractor has already read. Fragments are matched ignoring case,
 * which is how service and span names differ in practice ({@code Feast}, {@code feast}). At most
 * {@value #MAX_RULES} rules, the bits of the mask.
 */
public final class StageMap {
  /** The stage of spans no rule matched. */
  public static final String OTHER = "other";
  public static final int MAX_RULES = 64;
  static final int MAX_CACHED_SERVICES = 1_024;

  private final List<String> stages;
  private final Compiled[] rules;
  /** Per service name: bit i set when rule i's service condition holds (or it has none). */
  private final Map<String, Long> serviceMasks = new ConcurrentHashMap<>();

  private StageMap(List<StageRule> rules) {
    if (rules.isEmpty() || rules.size() > MAX_RULES) {
      throw new IllegalArgumentException("a stage mapping has 1 to " + MAX_RULES + " rules, not " + rules.size());
    }
    List<String> names = new ArrayList<>();
    this.rules = new Compiled[rules.size()];
    for (int i = 0; i < rules.size(); i++) {
      StageRule r = rules.get(i);
      if (!names.contains(r.stage())) {
        names.add(r.stage());
      }
      this.rules[i] = new Compiled(r, names.indexOf(r.stage()));
    }
    names.add(OTHER);
    this.stages = List.copyOf(names);
  }

  public static StageMap of(List<StageRule> rules) {
    return new StageMap(List.copyOf(rules));
  }

  /** The default mapping: {@link StageRule#DEFAULTS}. */
  public static StageMap defaults() {
    return of(StageRule.DEFAULTS);
  }

  /** Every stage a span can be given, in index order; {@link #OTHER} last. */
  public List<String> stages() {
    return stages;
  }

  /** The index of {@link #OTHER}. */
  public int other() {
    return stages.size() - 1;
  }

  /** The index of the span's stage in {@link #stages()}. */
  public int classify(Span span, String service, boolean root) {
    long services = serviceMask(service);
    for (int i = 0; i < rules.length; i++) {
      if ((services & (1L << i)) != 0 && rules[i].matches(span, root)) {
        return rules[i].stage;
      }
    }
    return stages.size() - 1;
  }

  private long serviceMask(String service) {
    if (service == null) {
      return computeMask(null);
    }
    Long cached = serviceMasks.get(service);
    if (cached != null) {
      return cached;
    }
    long mask = computeMask(service);
    if (serviceMasks.size() < MAX_CACHED_SERVICES) {
      serviceMasks.put(service, mask);
    }
    return mask;
  }

  private long computeMask(String service) {
    long mask = 0;
    for (int i = 0; i < rules.length; i++) {
      if (rules[i].services.length == 0 || containsAny(service, rules[i].services)) {
        mask |= 1L << i;
      }
    }
    return mask;
  }

  @Override
  public String toString() {
    return "StageMap" + stages;
  }

  private static final class Compiled {
    final int stage;
    final boolean root;
    final String attribute;
    final ByteString[] values;
    final String[] services;
    final byte[][] spanNames;

    Compiled(StageRule r, int stage) {
      this.stage = stage;
      this.root = r.root();
      this.attribute = r.attribute();
      this.values = r.values().stream().map(ByteString::copyFromUtf8).toArray(ByteString[]::new);
      this.services = r.services().toArray(String[]::new);
      this.spanNames = r.spanNames().stream().map(s -> s.getBytes(StandardCharsets.UTF_8))
          .toArray(byte[][]::new);
    }

    /** Whether the span matches, its service condition known to hold. */
    boolean matches(Span span, boolean isRoot) {
      if (root && !isRoot) {
        return false;
      }
      if (spanNames.length > 0 && !containsAny(span.getNameBytes(), spanNames)) {
        return false;
      }
      return attribute == null || hasAttribute(span);
    }

    private boolean hasAttribute(Span span) {
      for (KeyValue kv : span.getAttributesList()) {
        if (kv.getKey().equals(attribute)) {
          if (values.length == 0) {
            return true;
          }
          if (!kv.getValue().hasStringValue()) {
            return false;
          }
          ByteString v = kv.getValue().getStringValueBytes();
          for (ByteString allowed : values) {
            if (allowed.equals(v)) {
              return true;
            }
          }
          return false;
        }
      }
      return false;
    }
  }

  static boolean containsAny(String text, String[] fragments) {
    if (text == null) {
      return false;
    }
    for (String f : fragments) {
      for (int i = 0, last = text.length() - f.length(); i <= last; i++) {
        if (text.regionMatches(true, i, f, 0, f.length())) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code fragments} are lower case; ASCII letters of {@code text} are compared lowered. */
  static boolean containsAny(ByteString text, byte[][] fragments) {
    int n = text.size();
    for (byte[] f : fragments) {
      outer:
      for (int i = 0, last = n - f.length; i <= last; i++) {
        for (int j = 0; j < f.length; j++) {
          byte b = text.byteAt(i + j);
          if (b >= 'A' && b <= 'Z') {
            b += 'a' - 'A';
          }
          if (b != f[j]) {
            continue outer;
          }
        }
        return true;
      }
    }
    return false;
  }
}
