package io.tailstream.topology;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.config.AttributeScope;
import io.tailstream.decide.Decision;
import io.tailstream.otlp.OtelTraceState;
import io.tailstream.otlp.TraceRoot;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Writes why a trace was kept onto its spans, where Jaeger and Tempo show it: span attributes
 * named in the {@code tailstream.*} namespace ({@code output.decision-attributes}). A public
 * contract, like {@link Headers}; see docs/wire-formats.md.
 *
 * <p>Design: the attributes are written into the buffered fragments ({@code TracesData} bytes)
 * before the emitter assembles them, so both encodings and record splitting see ordinary spans.
 * With {@link AttributeScope#OFF} the fragments come back as the same list, and the output is
 * byte for byte what it was without the option. With {@link AttributeScope#ROOT} the carrier is
 * found by walking the fragments' bytes ({@link TraceRoot}: the root span, else the earliest) and
 * only the fragment holding it is parsed and re-encoded; in {@code otlp_proto} every other span
 * still goes out as the collector sent it (unless the emitter re-encodes them all anyway: a
 * sampled keep rewrites {@code th}, OTLP/JSON, a trace over the record limit).
 * {@link AttributeScope#ALL} re-encodes every fragment.
 * Late spans are never stamped: the decision was written on the trace when it went out.
 *
 * <p>Names: attributes follow OpenTelemetry's naming (dots for namespaces, snake_case within), the
 * headers Kafka's habit (kebab-case); an attribute that has a header of the same meaning is that
 * header's name with '-' as '_' ({@link #forHeader}). The adjusted count has no header: spans of
 * one record may differ in it. Attributes of these names that a span already has (it passed a
 * tailstream before) are replaced, so no key appears twice.
 */
public final class DecisionAttributes {
  /** The rule that kept the trace (header {@link Headers#RULE}). */
  public static final String RULE = "tailstream.rule";
  /** Short hash of the rules file that decided (header {@link Headers#RULES_VERSION}). */
  public static final String RULES_VERSION = "tailstream.rules_version";
  /**
   * How many spans like this one the span stands for ({@link Decision#adjustedCount}), a double
   * rounded to 6 significant digits; absent when a rate or byte limit kept the trace.
   */
  public static final String ADJUSTED_COUNT = "tailstream.adjusted_count";
  /** Milliseconds from the trace's first span to its decision (header {@link Headers#DECISION_DELAY_MS}). */
  public static final String DECISION_DELAY_MS = "tailstream.decision_delay_ms";
  /** {@code true} when kept at once under stress relief, else absent (header {@link Headers#STRESSED}). */
  public static final String STRESSED = "tailstream.stressed";

  /** Every attribute name, in the order they are written. */
  public static final List<String> NAMES = List.of(RULE, RULES_VERSION, ADJUSTED_COUNT, DECISION_DELAY_MS,
      STRESSED);
  /** The headers on kept traces that have an attribute of the same meaning, with its name. */
  public static final Map<String, String> BY_HEADER = Map.of(Headers.RULE, RULE,
      Headers.RULES_VERSION, RULES_VERSION, Headers.DECISION_DELAY_MS, DECISION_DELAY_MS,
      Headers.STRESSED, STRESSED);

  private static final MathContext COUNT_DIGITS = new MathContext(6);

  private final AttributeScope scope;

  DecisionAttributes(AttributeScope scope) {
    this.scope = Objects.requireNonNull(scope, "scope");
  }

  /** The attribute name for a header name: '-' becomes '_', as OpenTelemetry names words. */
  static String forHeader(String header) {
    return header.replace('-', '_');
  }

  /**
   * The fragments of a kept trace with the decision's attributes on the scope's spans: the same
   * list when the scope is off or the fragments hold no span, else a copy in which only the
   * fragments with a stamped span are new arrays.
   *
   * @throws InvalidProtocolBufferException when a fragment is not a {@code TracesData}
   */
  List<byte[]> stamp(List<byte[]> fragments, Decision decision, long delayMs)
      throws InvalidProtocolBufferException {
    return switch (scope) {
      case OFF -> fragments;
      case ROOT -> stampRoot(fragments, decision, delayMs);
      case ALL -> stampAll(fragments, decision, delayMs);
    };
  }

  private static List<byte[]> stampRoot(List<byte[]> fragments, Decision decision, long delayMs)
      throws InvalidProtocolBufferException {
    TraceRoot.Location carrier = TraceRoot.find(fragments);
    if (carrier == null) {
      return fragments;
    }
    List<byte[]> out = new ArrayList<>(fragments);
    TracesData parsed = TracesData.parseFrom(fragments.get(carrier.fragment()));
    out.set(carrier.fragment(), stamped(parsed, carrier.span(), decision, delayMs).toByteArray());
    return out;
  }

  private static List<byte[]> stampAll(List<byte[]> fragments, Decision decision, long delayMs)
      throws InvalidProtocolBufferException {
    List<byte[]> out = new ArrayList<>(fragments.size());
    for (byte[] f : fragments) {
      out.add(stamped(TracesData.parseFrom(f), ALL_SPANS, decision, delayMs).toByteArray());
    }
    return out;
  }

  private static final int ALL_SPANS = -1;

  /** {@code data} with the attributes on its span number {@code only}, or on all of them. */
  private static TracesData stamped(TracesData data, int only, Decision decision, long delayMs) {
    List<KeyValue> common = common(decision, delayMs);
    TracesData.Builder b = data.toBuilder();
    int ordinal = 0;
    for (ResourceSpans.Builder rs : b.getResourceSpansBuilderList()) {
      for (ScopeSpans.Builder ss : rs.getScopeSpansBuilderList()) {
        for (int i = 0; i < ss.getSpansCount(); i++, ordinal++) {
          if (only == ALL_SPANS || ordinal == only) {
            ss.setSpans(i, stamped(ss.getSpans(i), common, decision));
          }
        }
      }
    }
    return b.build();
  }

  /** The attributes every stamped span of the trace gets the same, in {@link #NAMES} order less the count. */
  private static List<KeyValue> common(Decision decision, long delayMs) {
    List<KeyValue> out = new ArrayList<>(4);
    out.add(string(RULE, decision.rule()));
    out.add(string(RULES_VERSION, decision.rulesVersion()));
    out.add(KeyValue.newBuilder().setKey(DECISION_DELAY_MS)
        .setValue(AnyValue.newBuilder().setIntValue(delayMs)).build());
    if (KeptTraceEmitter.stressed(decision)) {
      out.add(KeyValue.newBuilder().setKey(STRESSED).setValue(AnyValue.newBuilder().setBoolValue(true)).build());
    }
    return out;
  }

  private static Span stamped(Span span, List<KeyValue> common, Decision decision) {
    Span.Builder b = span.toBuilder();
    if (span.getAttributesList().stream().anyMatch(kv -> NAMES.contains(kv.getKey()))) {
      b.clearAttributes();
      span.getAttributesList().stream().filter(kv -> !NAMES.contains(kv.getKey())).forEach(b::addAttributes);
    }
    b.addAttributes(common.get(0)).addAttributes(common.get(1));
    OptionalDouble count = decision.adjustedCount(OtelTraceState.threshold(span.getTraceState()));
    if (count.isPresent()) {
      b.addAttributes(KeyValue.newBuilder().setKey(ADJUSTED_COUNT)
          .setValue(AnyValue.newBuilder().setDoubleValue(rounded(count.getAsDouble()))));
    }
    for (int i = 2; i < common.size(); i++) {
      b.addAttributes(common.get(i));
    }
    return b.build();
  }

  /** 10.000000000000002 is 10: thresholds are 56-bit, the noise is in the last bits. */
  static double rounded(double count) {
    return new BigDecimal(count).round(COUNT_DIGITS).doubleValue();
  }

  private static KeyValue string(String key, String value) {
    return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
  }

  @Override
  public String toString() {
    return "decision attributes on " + scope;
  }
}
