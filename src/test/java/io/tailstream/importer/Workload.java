package io.tailstream.importer;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.testing.Spans;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded workload for the import equivalence tests: traces with varied latency (sub-millisecond
 * jitter included), status, string/int/bool attributes on spans and resources, span counts, W3C
 * tracestate, trace flags and span events. Values are chosen to sit on the fixtures' boundaries
 * (5000/10000 ms, 50..100, 404, 500..599, 2 and 20 spans).
 */
final class Workload {
  /** One span, as the reference evaluator reads it. */
  record TSpan(int id, Integer parent, String name, long startNanos, long endNanos, String status,
      Map<String, Object> attributes, String traceState, int flags, List<String> events) {}

  /** One resource's spans. */
  record TResource(Map<String, Object> attributes, List<TSpan> spans) {}

  record TTrace(byte[] traceId, List<TResource> resources) {
    int spanCount() {
      return resources.stream().mapToInt(r -> r.spans().size()).sum();
    }

    TracesData proto() {
      TracesData.Builder data = TracesData.newBuilder();
      for (TResource r : resources) {
        Resource.Builder res = Resource.newBuilder();
        r.attributes().forEach((k, v) -> res.addAttributes(kv(k, v)));
        ScopeSpans.Builder ss = ScopeSpans.newBuilder();
        for (TSpan s : r.spans()) {
          Span.Builder b = Span.newBuilder().setTraceId(ByteString.copyFrom(traceId))
              .setSpanId(ByteString.copyFrom(Spans.spanId(s.id()))).setName(s.name())
              .setStartTimeUnixNano(s.startNanos()).setEndTimeUnixNano(s.endNanos())
              .setTraceState(s.traceState()).setFlags(s.flags())
              .setStatus(Status.newBuilder().setCode(switch (s.status()) {
                case "OK" -> Status.StatusCode.STATUS_CODE_OK;
                case "ERROR" -> Status.StatusCode.STATUS_CODE_ERROR;
                default -> Status.StatusCode.STATUS_CODE_UNSET;
              }));
          if (s.parent() != null) {
            b.setParentSpanId(ByteString.copyFrom(Spans.spanId(s.parent())));
          }
          s.attributes().forEach((k, v) -> b.addAttributes(kv(k, v)));
          s.events().forEach(e -> b.addEvents(Span.Event.newBuilder().setName(e)));
          ss.addSpans(b);
        }
        data.addResourceSpans(ResourceSpans.newBuilder().setResource(res).addScopeSpans(ss));
      }
      return data.build();
    }
  }

  private static final String[] ROUTES = {"/health", "/metrics", "/v1/name/42", "/api/orders",
      "/api/order-items", "/live", "/ready", "/checkout"};
  private static final String[] TENANTS = {"acme", "globex", "initech", "value1", "value2", "value3"};
  private static final String[] SERVICES = {"gateway", "service-1", "service-2", "billing", "search"};
  private static final long[] LATENCIES_MS = {0, 999, 1000, 1001, 2000, 2999, 3000, 3001, 4000,
      4001, 5000, 5001, 8000, 9999, 10000, 10001};

  private Workload() {}

  static List<TTrace> traces(long seed, int n) {
    Random random = new Random(seed);
    List<TTrace> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(trace(random));
    }
    return out;
  }

  private static TTrace trace(Random random) {
    byte[] id = Spans.randomTraceId(random);
    int spans = 1 + (random.nextInt(10) == 0 ? random.nextInt(25) : random.nextInt(4));
    long durationMs = random.nextInt(3) == 0 ? LATENCIES_MS[random.nextInt(LATENCIES_MS.length)]
        : random.nextInt(12_000);
    long duration = durationMs * 1_000_000L + random.nextInt(1_000_000);
    boolean hasRoot = random.nextInt(10) != 0;
    Map<String, List<TSpan>> byService = new LinkedHashMap<>();
    Map<String, Map<String, Object>> resources = new LinkedHashMap<>();
    for (int s = 0; s < spans; s++) {
      String service = SERVICES[random.nextInt(SERVICES.length)];
      resources.computeIfAbsent(service, k -> resource(k, random));
      boolean root = s == 0 && hasRoot;
      long start = Spans.T0 + (s == 0 ? 0 : (long) (random.nextDouble() * duration / 2));
      long end = s == 0 ? Spans.T0 + duration
          : Math.min(Spans.T0 + duration, start + (long) (random.nextDouble() * duration / 2));
      Map<String, Object> attributes = new LinkedHashMap<>();
      if (random.nextInt(3) == 0) {
        attributes.put("http.route", ROUTES[random.nextInt(ROUTES.length)]);
      }
      if (random.nextInt(8) == 0) {
        attributes.put("url.path", random.nextBoolean() ? "/health" : "/api/metrics/x");
      }
      if (random.nextInt(4) == 0) {
        attributes.put("tenant", TENANTS[random.nextInt(TENANTS.length)]);
      }
      if (random.nextInt(4) == 0) {
        attributes.put("key2", TENANTS[random.nextInt(TENANTS.length)]);
      }
      if (random.nextInt(3) == 0) {
        attributes.put("http.status_code", (long) new int[] {200, 404, 499, 500, 503, 599, 600}[random.nextInt(7)]);
      }
      if (random.nextInt(5) == 0) {
        attributes.put("key1", (long) random.nextInt(150));
      }
      if (random.nextInt(6) == 0) {
        attributes.put("batch.size", (long) random.nextInt(200));
      }
      if (random.nextInt(6) == 0) {
        attributes.put("retry", random.nextBoolean());
      }
      if (random.nextInt(20) == 0) {
        attributes.put("app.force_sample", random.nextBoolean());
      }
      if (random.nextInt(20) == 0) {
        attributes.put("app.do_not_sample", true);
      }
      if (random.nextInt(8) == 0) {
        attributes.put("key4", random.nextBoolean());
      }
      if (random.nextInt(10) == 0) {
        attributes.put("test_attr_key_1", random.nextBoolean() ? "test_attr_val_1" : "other");
      }
      String status = new String[] {"UNSET", "UNSET", "OK", "OK", "ERROR"}[random.nextInt(5)];
      if (random.nextInt(3) != 0) {
        status = "OK";
      }
      String traceState = switch (random.nextInt(6)) {
        case 0 -> "vendor=gold";
        case 1 -> "vendor=silver,key3=value1";
        case 2 -> "key3=value2";
        default -> "";
      };
      List<String> events = random.nextInt(10) == 0 ? List.of(random.nextBoolean() ? "exception" : "log") : List.of();
      TSpan span = new TSpan(s + 1, root ? null : (s == 0 ? 999 : 1), "op-" + random.nextInt(3), start, end,
          status, attributes, traceState, random.nextInt(4) == 0 ? 1 : 0, events);
      byService.computeIfAbsent(service, k -> new ArrayList<>()).add(span);
    }
    List<TResource> out = new ArrayList<>();
    byService.forEach((service, list) -> out.add(new TResource(resources.get(service), list)));
    return new TTrace(id, out);
  }

  private static Map<String, Object> resource(String service, Random random) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("service.name", service);
    if (random.nextInt(3) != 0) {
      r.put("deployment.environment", random.nextBoolean() ? "prod" : "staging");
    }
    if (random.nextInt(6) == 0) {
      r.put("team", random.nextBoolean() ? "search" : "ads");
    }
    if (random.nextInt(10) == 0) {
      r.put("key2", TENANTS[random.nextInt(TENANTS.length)]);
    }
    return r;
  }

  private static KeyValue kv(String key, Object value) {
    AnyValue.Builder v = AnyValue.newBuilder();
    if (value instanceof String s) {
      v.setStringValue(s);
    } else if (value instanceof Long l) {
      v.setIntValue(l);
    } else {
      v.setBoolValue((Boolean) value);
    }
    return KeyValue.newBuilder().setKey(key).setValue(v).build();
  }
}
