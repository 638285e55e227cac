package io.tailstream.it;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailstream.otlp.TraceIds;
import io.tailstream.testing.Spans;
import io.tailstream.topology.Headers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What came out on an output topic, per trace: its span ids as they came (so a span twice
 * shows), how many records carried it, and whether any came late ({@link Headers#LATE}, a span
 * that arrived after its trace was decided, i.e. a trace split in two).
 */
record KeptTraces(Map<String, List<String>> spans, Map<String, Integer> records, Set<String> late) {
  static KeptTraces of(List<ConsumerRecord<byte[], byte[]>> out) throws Exception {
    Map<String, List<String>> spans = new LinkedHashMap<>();
    Map<String, Integer> records = new HashMap<>();
    Set<String> late = new TreeSet<>();
    for (ConsumerRecord<byte[], byte[]> r : out) {
      String trace = new String(r.key(), StandardCharsets.UTF_8);
      List<String> ids = spans.computeIfAbsent(trace, t -> new ArrayList<>());
      for (Span s : Spans.allSpans(ExportTraceServiceRequest.parseFrom(r.value()))) {
        ids.add(TraceIds.hex(s.getSpanId()));
      }
      records.merge(trace, 1, Integer::sum);
      if (r.headers().lastHeader(Headers.LATE) != null) {
        late.add(trace);
      }
    }
    return new KeptTraces(spans, records, late);
  }

  /** As an expectation for another run: trace → its span ids. */
  Map<String, Set<String>> spanSets() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    spans.forEach((t, ids) -> out.put(t, new TreeSet<>(ids)));
    return out;
  }

  /** Span counts per trace, for {@link KafkaTestSupport#report}. */
  Map<String, Integer> spanCounts() {
    return KafkaTestSupport.spanCounts(spans);
  }

  /** Compares with the traces that must be kept, each with exactly these spans, once, none late. */
  Comparison against(Map<String, Set<String>> expected) {
    Set<String> missing = new TreeSet<>();
    Set<String> incomplete = new TreeSet<>();
    Set<String> twice = new TreeSet<>();
    List<String> examples = new ArrayList<>();
    expected.forEach((trace, want) -> {
      List<String> got = spans.get(trace);
      if (got == null) {
        missing.add(trace);
        return;
      }
      if (new HashSet<>(got).size() != got.size()) {
        twice.add(trace);
        example(examples, trace + ": a span twice, " + got.size() + " spans out for " + want.size());
      }
      if (!new HashSet<>(got).equals(want)) {
        incomplete.add(trace);
        example(examples, trace + ": " + new HashSet<>(got).size() + " of " + want.size() + " spans"
            + (late.contains(trace) ? ", some late" : ""));
      }
    });
    Set<String> unexpected = new TreeSet<>(spans.keySet());
    unexpected.removeAll(expected.keySet());
    unexpected.forEach(t -> example(examples, t + ": kept, but the rules keep it only whole and it is not"));
    missing.forEach(t -> example(examples, t + ": expected, nothing came out"));
    late.forEach(t -> example(examples, t + ": came late, in " + records.get(t) + " records"));
    Set<String> bad = new HashSet<>(missing);
    bad.addAll(incomplete);
    bad.addAll(twice);
    bad.addAll(late);
    bad.retainAll(expected.keySet());
    return new Comparison(expected.size(), expected.size() - bad.size(), missing, incomplete, twice,
        unexpected, new TreeSet<>(late), examples);
  }

  private static void example(List<String> examples, String line) {
    if (examples.size() < 10) {
      examples.add(line);
    }
  }

  /**
   * Each set holds trace ids; {@code whole}: expected traces out once with all their spans and
   * none late. {@code exact()} when every set is empty.
   */
  record Comparison(int expected, int whole, Set<String> missing, Set<String> incomplete, Set<String> twice,
      Set<String> unexpected, Set<String> late, List<String> examples) {
    boolean exact() {
      return missing.isEmpty() && incomplete.isEmpty() && twice.isEmpty() && unexpected.isEmpty()
          && late.isEmpty();
    }

    /** One line of counts, then up to ten examples. */
    String summary() {
      return String.format("%d traces expected: %d whole, once, on time; %d incomplete, %d missing, "
              + "%d with a span twice, %d came late (split), %d kept that should not be%n  %s",
          expected, whole, incomplete.size(), missing.size(), twice.size(), late.size(),
          unexpected.size(), String.join("\n  ", examples));
    }
  }
}
