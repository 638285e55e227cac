package io.tailstream.otlp;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * {@code otlp_json}: OTLP/JSON as the specification defines it. It is the protobuf JSON mapping
 * (lowerCamelCase or original field names, int64 as numbers or strings, enums as integers or
 * names, defaults present or omitted, unknown fields ignored) with one exception that protobuf's
 * {@link JsonFormat} does not know: trace and span ids are hex, not base64. So ids are rewritten
 * in the JSON tree before and after {@code JsonFormat} does the rest.
 *
 * @see <a href="https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding">OTLP/JSON</a>
 */
final class OtlpJsonCodec implements OtlpCodec {
  static final OtlpJsonCodec INSTANCE = new OtlpJsonCodec();

  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace().printingEnumsAsInts();
  private static final Gson GSON = new Gson();
  private static final String[] SPAN_ID_FIELDS = {"spanId", "span_id", "parentSpanId", "parent_span_id"};
  private static final String[] TRACE_ID_FIELDS = {"traceId", "trace_id"};

  /** OTLP needs about 12 levels; nested attribute values a few more. */
  static final int MAX_DEPTH = 64;

  private OtlpJsonCodec() {}

  /** The deepest bracket nesting outside strings. */
  static int maxDepth(String text) {
    int depth = 0;
    int max = 0;
    boolean inString = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        max = Math.max(max, ++depth);
      } else if (c == '}' || c == ']') {
        depth--;
      }
    }
    return max;
  }

  @Override
  public Decoded decode(byte[] value) throws OtlpDecodeException {
    if (value == null) {
      throw new OtlpDecodeException("record has no value");
    }
    String text = strictUtf8(value);
    int depth = maxDepth(text);
    if (depth > MAX_DEPTH) {
      // Parsers recurse per level: refuse hostile nesting before it reaches them.
      throw new OtlpDecodeException("JSON nested " + depth + " levels deep; at most " + MAX_DEPTH);
    }
    JsonElement root;
    try {
      root = JsonParser.parseString(text);
    } catch (JsonParseException e) {
      throw new OtlpDecodeException("not JSON: " + e.getMessage(), e);
    }
    if (!root.isJsonObject()) {
      throw new OtlpDecodeException("not an otlp_json ExportTraceServiceRequest: "
          + "expected a JSON object at the top level");
    }
    List<String> problems = new ArrayList<>();
    forEachSpan(root.getAsJsonObject(), span -> hexIdsToBase64(span, problems));
    ExportTraceServiceRequest.Builder builder = ExportTraceServiceRequest.newBuilder();
    try {
      PARSER.merge(GSON.toJson(root), builder);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new OtlpDecodeException("not an otlp_json ExportTraceServiceRequest: " + e.getMessage(), e);
    }
    return new Decoded(builder.build(), String.join("; ", problems));
  }

  @Override
  public byte[] encode(ExportTraceServiceRequest request) {
    try {
      JsonObject root = JsonParser.parseString(PRINTER.print(request)).getAsJsonObject();
      forEachSpan(root, OtlpJsonCodec::base64IdsToHex);
      return GSON.toJson(root).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields with unknown types make printing fail; OTLP traces have none.
      throw new IllegalStateException("cannot print OTLP request as JSON", e);
    }
  }

  @Override
  public Encoding encoding() {
    return Encoding.OTLP_JSON;
  }

  private static String strictUtf8(byte[] value) throws OtlpDecodeException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value)).toString();
    } catch (CharacterCodingException e) {
      throw new OtlpDecodeException("not otlp_json: the value is not UTF-8 text", e);
    }
  }

  /** Visits every span object (and nothing else) of a request tree, in either field spelling. */
  private static void forEachSpan(JsonObject root, java.util.function.Consumer<JsonObject> visit) {
    for (JsonObject rs : objects(root, "resourceSpans", "resource_spans")) {
      for (JsonObject ss : objects(rs, "scopeSpans", "scope_spans")) {
        for (JsonObject span : objects(ss, "spans", "spans")) {
          visit.accept(span);
        }
      }
    }
  }

  private static List<JsonObject> objects(JsonObject parent, String camel, String snake) {
    JsonElement e = parent.has(camel) ? parent.get(camel) : parent.get(snake);
    List<JsonObject> out = new ArrayList<>();
    if (e instanceof JsonArray array) {
      for (JsonElement item : array) {
        if (item.isJsonObject()) {
          out.add(item.getAsJsonObject());
        }
      }
    }
    return out;
  }

  private static void hexIdsToBase64(JsonObject span, List<String> problems) {
    List<String> spanProblems = new ArrayList<>();
    rewrite(span, TRACE_ID_FIELDS, OtlpJsonCodec::hexToBase64, spanProblems);
    rewrite(span, SPAN_ID_FIELDS, OtlpJsonCodec::hexToBase64, spanProblems);
    for (JsonObject link : objects(span, "links", "links")) {
      rewrite(link, TRACE_ID_FIELDS, OtlpJsonCodec::hexToBase64, spanProblems);
      rewrite(link, SPAN_ID_FIELDS, OtlpJsonCodec::hexToBase64, spanProblems);
    }
    if (!spanProblems.isEmpty()) {
      // Without a readable trace id the splitter dead-letters the span, with these reasons.
      span.remove("traceId");
      span.remove("trace_id");
      JsonElement name = span.get("name");
      String label = name != null && name.isJsonPrimitive() ? name.getAsString() : "?";
      problems.add("span '" + label + "': " + String.join(", ", spanProblems));
    }
  }

  private static void base64IdsToHex(JsonObject span) {
    List<String> ignored = new ArrayList<>();
    rewrite(span, TRACE_ID_FIELDS, OtlpJsonCodec::base64ToHex, ignored);
    rewrite(span, SPAN_ID_FIELDS, OtlpJsonCodec::base64ToHex, ignored);
    for (JsonObject link : objects(span, "links", "links")) {
      rewrite(link, TRACE_ID_FIELDS, OtlpJsonCodec::base64ToHex, ignored);
      rewrite(link, SPAN_ID_FIELDS, OtlpJsonCodec::base64ToHex, ignored);
    }
  }

  private static void rewrite(JsonObject object, String[] fields, UnaryOperator<String> convert,
      List<String> problems) {
    for (String field : fields) {
      JsonElement value = object.get(field);
      if (value == null || value.isJsonNull()) {
        continue;
      }
      if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
        problems.add(field + " is not a string");
        object.remove(field);
        continue;
      }
      try {
        object.add(field, new JsonPrimitive(convert.apply(value.getAsString())));
      } catch (IllegalArgumentException e) {
        problems.add(field + " '" + value.getAsString() + "' is not hex");
        object.remove(field);
      }
    }
  }

  private static String hexToBase64(String hex) {
    return Base64.getEncoder().encodeToString(TraceIds.fromHex(hex));
  }

  private static String base64ToHex(String base64) {
    return TraceIds.hex(Base64.getDecoder().decode(base64));
  }

  @Override
  public String toString() {
    return "otlp_json";
  }
}
