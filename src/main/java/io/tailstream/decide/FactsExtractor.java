package io.tailstream.decide;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.adapt.ModelLatencyLearner;
import io.tailstream.adapt.AdaptiveState;
import io.tailstream.otlp.OtelTraceState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Computes the {@link TraceFacts} of one fragment in a single pass over its spans: the fixed
 * facts, the compiled rules' span-level features, and per-model inference maxima, feeding each
 * inference span to the learners of learned thresholds on the way, and every span to the
 * instance's adaptive state (stage statistics, spike detection, stage meters). Made by
 * {@link Decider#extractor()}.
 */
public final class FactsExtractor {
  static final String SERVICE_NAME = "service.name";

  /** A learner and the span attribute that names its models. */
  record Learning(String attribute, ModelLatencyLearner learner) {}

  private final FeatureSet features;
  private final Set<String> modelAttributes;
  private final List<Learning> learners;
  private final Set<String> keyFields;
  private final AdaptiveState adaptive;

  FactsExtractor(FeatureSet features, Set<String> modelAttributes, List<Learning> learners,
      Set<String> keyFields, AdaptiveState adaptive) {
    this.adaptive = adaptive;
    this.features = features;
    this.modelAttributes = Set.copyOf(modelAttributes);
    this.learners = List.copyOf(learners);
    this.keyFields = Set.copyOf(keyFields);
  }

  /** Facts of a newly arrived fragment; its inference spans teach the learners (at {@code nowMs}). */
  public TraceFacts extract(TracesData fragment, long encodedBytes, long nowMs) {
    return extract(fragment, encodedBytes, nowMs, true);
  }

  /** Facts of spans seen before (recomputed after a rules reload): learners are not fed twice. */
  public TraceFacts reextract(TracesData fragment, long encodedBytes) {
    return extract(fragment, encodedBytes, 0, false);
  }

  private TraceFacts extract(TracesData fragment, long encodedBytes, long nowMs, boolean learn) {
    int spans = 0;
    long minStart = Long.MAX_VALUE;
    long maxEnd = 0;
    boolean root = false;
    boolean error = false;
    long randomness = OtelTraceState.ABSENT;
    long threshold = OtelTraceState.ABSENT;
    Map<String, Long> models = Map.of();
    Set<String> services = new HashSet<>(2);
    long[] values = features.initial();
    Map<String, String> keys = Map.of();
    boolean keysFromRoot = false;
    for (ResourceSpans rs : fragment.getResourceSpansList()) {
      String service = TraceFacts.boundedName(
          stringAttribute(rs.getResource().getAttributesList(), SERVICE_NAME));
      if (service != null && services.size() < TraceFacts.MAX_NAMES) {
        services.add(service);
      }
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        for (Span span : ss.getSpansList()) {
          spans++;
          long duration = Math.max(0, span.getEndTimeUnixNano() - span.getStartTimeUnixNano());
          minStart = Math.min(minStart, span.getStartTimeUnixNano());
          maxEnd = Math.max(maxEnd, span.getEndTimeUnixNano());
          boolean isRoot = span.getParentSpanId().isEmpty();
          root |= isRoot;
          error |= span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR;
          if (!span.getTraceState().isEmpty()) {
            if (randomness == OtelTraceState.ABSENT) {
              randomness = OtelTraceState.randomness(span.getTraceState());
            }
            threshold = Math.max(threshold, OtelTraceState.threshold(span.getTraceState()));
          }
          updateFeatures(values, span, rs, service, isRoot, duration);
          if (!keyFields.isEmpty() && (spans == 1 || (isRoot && !keysFromRoot))) {
            keys = keyValues(span, rs);
            keysFromRoot = isRoot;
          }
          String model = null;
          if (!modelAttributes.isEmpty()) {
            String attribute = modelOf(span);
            if (attribute != null) {
              model = TraceFacts.boundedName(attribute);
              models = observeModel(model, attribute, span, duration, models, nowMs, learn);
            }
          }
          if (learn) {
            adaptive.observeSpan(span, service, isRoot, model, duration,
                span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR);
          }
        }
      }
    }
    return new TraceFacts(spans, encodedBytes, minStart, maxEnd, root, error, models, services,
        randomness, threshold, features.id(), values, keys);
  }

  /** The key fields' values: span attribute first, then resource attribute. */
  private Map<String, String> keyValues(Span span, ResourceSpans rs) {
    Map<String, String> out = new HashMap<>(keyFields.size() * 2);
    for (String field : keyFields) {
      String v = anyAttribute(span.getAttributesList(), field);
      if (v == null) {
        v = anyAttribute(rs.getResource().getAttributesList(), field);
      }
      if (v != null) {
        out.put(field, TraceFacts.boundedName(v));
      }
    }
    return out;
  }

  private static String anyAttribute(List<KeyValue> attributes, String key) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key)) {
        AnyValue v = kv.getValue();
        return switch (v.getValueCase()) {
          case STRING_VALUE -> v.getStringValue();
          case INT_VALUE -> Long.toString(v.getIntValue());
          case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
          case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
          default -> null;
        };
      }
    }
    return null;
  }

  private void updateFeatures(long[] values, Span span, ResourceSpans rs, String service,
      boolean isRoot, long duration) {
    for (int i = 0; i < values.length; i++) {
      FeatureSet.Feature f = features.get(i);
      switch (f.kind()) {
        case ANY -> {
          if (values[i] == 0 && f.matcher().test(span, rs, service)) {
            values[i] = 1;
          }
        }
        case SOME_FAILED -> {
          if (values[i] == 0 && !f.matcher().test(span, rs, service)) {
            values[i] = 1;
          }
        }
        case ROOT -> {
          if (isRoot) {
            values[i] = f.matcher().test(span, rs, service) ? 1 : 0;
          }
        }
        case MAX_DURATION -> {
          if (duration > values[i] && f.matcher().test(span, rs, service)) {
            values[i] = duration;
          }
        }
      }
    }
  }

  private String modelOf(Span span) {
    for (KeyValue kv : span.getAttributesList()) {
      if (modelAttributes.contains(kv.getKey()) && kv.getValue().hasStringValue()) {
        return kv.getValue().getStringValue();
      }
    }
    return null;
  }

  /** {@code model} is the bounded name of the span's model attribute {@code attribute}. */
  private Map<String, Long> observeModel(String model, String attribute, Span span, long duration,
      Map<String, Long> models, long nowMs, boolean learn) {
    Map<String, Long> out = models.isEmpty() ? new HashMap<>(4) : models;
    if (out.containsKey(model) || out.size() < TraceFacts.MAX_NAMES) {
      out.merge(model, duration, Math::max);
    }
    if (learn) {
      for (Learning l : learners) {
        if (hasAttribute(span, l.attribute(), attribute)) {
          l.learner().record(model, duration, nowMs);
        }
      }
    }
    return out;
  }

  private static boolean hasAttribute(Span span, String key, String value) {
    for (KeyValue kv : span.getAttributesList()) {
      if (kv.getKey().equals(key)) {
        return value.equals(kv.getValue().getStringValue());
      }
    }
    return false;
  }

  static String stringAttribute(Iterable<KeyValue> attributes, String key) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key)) {
        AnyValue v = kv.getValue();
        return v.hasStringValue() ? v.getStringValue() : null;
      }
    }
    return null;
  }
}
