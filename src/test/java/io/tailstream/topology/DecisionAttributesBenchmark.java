package io.tailstream.topology;

import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.tailstream.config.AttributeScope;
import io.tailstream.decide.Decision;
import io.tailstream.loadgen.LoadGenerator;
import io.tailstream.loadgen.PipelineSimulator;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.ProtoTraceSplitter;
import io.tailstream.otlp.TraceAssembler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code output.decision-attributes} costs per kept trace in {@code otlp_proto}: the output
 * record from the buffered fragments with the option off (pass-through), on the root span (the
 * carrier's fragment re-encoded) and on every span. Traces of the demo's SDK workload (about 6
 * spans), each buffered as three fragments, as from three collector batches. Run with
 * {@code scripts/jmh DecisionAttributesBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecisionAttributesBenchmark {
  private static final Decision KEPT = Decision.keep("errors", "0123abcd");

  private final List<List<byte[]>> traces = new ArrayList<>();
  private final DecisionAttributes off = new DecisionAttributes(AttributeScope.OFF);
  private final DecisionAttributes root = new DecisionAttributes(AttributeScope.ROOT);
  private final DecisionAttributes all = new DecisionAttributes(AttributeScope.ALL);
  private TraceAssembler assembler;
  private int i;

  @Setup
  public void setUp() throws Exception {
    assembler = new TraceAssembler(OtlpCodec.of(Encoding.OTLP_PROTO), 1 << 20);
    ProtoTraceSplitter splitter = new ProtoTraceSplitter();
    try (PipelineSimulator simulator = new PipelineSimulator(7, 0.02)) {
      for (int t = 0; t < 512; t++) {
        List<SpanData> spans = simulator.next(1_790_000_000_000_000_000L + t * 1_000_000L, List.of()).spans();
        for (ProtoTraceSplitter.Fragment f : splitter.split(LoadGenerator.encode(spans, Encoding.OTLP_PROTO))
            .fragments()) {
          traces.add(inThree(f.parsed()));
        }
      }
    }
  }

  /** The trace's spans dealt into three fragments, each with their Resource and Scope. */
  private static List<byte[]> inThree(TracesData trace) {
    List<byte[]> out = new ArrayList<>(3);
    for (int part = 0; part < 3; part++) {
      TracesData.Builder b = TracesData.newBuilder();
      int n = 0;
      for (ResourceSpans rs : trace.getResourceSpansList()) {
        ResourceSpans.Builder r = rs.toBuilder().clearScopeSpans();
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          ScopeSpans.Builder s = ss.toBuilder().clearSpans();
          for (int k = 0; k < ss.getSpansCount(); k++, n++) {
            if (n % 3 == part) {
              s.addSpans(ss.getSpans(k));
            }
          }
          if (s.getSpansCount() > 0) {
            r.addScopeSpans(s);
          }
        }
        if (r.getScopeSpansCount() > 0) {
          b.addResourceSpans(r);
        }
      }
      out.add(b.build().toByteArray());
    }
    return out;
  }

  private List<byte[]> emit(DecisionAttributes attributes) throws Exception {
    List<byte[]> fragments = traces.get(i++ % traces.size());
    return assembler.passThrough(attributes.stamp(fragments, KEPT, 1234), new ArrayList<>(0));
  }

  @Benchmark
  public List<byte[]> off() throws Exception {
    return emit(off);
  }

  @Benchmark
  public List<byte[]> root() throws Exception {
    return emit(root);
  }

  @Benchmark
  public List<byte[]> all() throws Exception {
    return emit(all);
  }
}
