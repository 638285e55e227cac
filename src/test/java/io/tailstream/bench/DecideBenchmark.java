package io.tailstream.bench;

import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.decide.Decider;
import io.tailstream.decide.Decision;
import io.tailstream.decide.TraceFacts;
import io.tailstream.rules.RulesParser;
import io.tailstream.workload.InferenceWorkload;
import java.nio.file.Path;
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
 * Cost of deciding one trace with the 12-rule ML inference policy
 * ({@code examples/rules-ml-inference.yaml}): from its summary (the normal path), and from its
 * spans (the path after a rules reload, and the per-fragment cost paid at split time).
 * Run with {@code scripts/jmh DecideBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecideBenchmark {
  private static final int TRACES = 1024;

  private Decider decider;
  private TraceFacts[] facts;
  private TracesData[] spans;
  private byte[][] ids;
  private int i;

  @Setup
  public void setUp() {
    decider = Decider.compile(RulesParser.load(Path.of("examples/rules-ml-inference.yaml")));
    InferenceWorkload workload = new InferenceWorkload(7, 0.02, 0.02, 0.02);
    facts = new TraceFacts[TRACES];
    spans = new TracesData[TRACES];
    ids = new byte[TRACES][];
    for (int t = 0; t < TRACES; t++) {
      InferenceWorkload.Trace trace = workload.next();
      spans[t] = TracesData.newBuilder().addAllResourceSpans(trace.resources()).build();
      ids[t] = trace.traceId();
      facts[t] = decider.extractor().reextract(spans[t], spans[t].getSerializedSize());
    }
  }

  /** Deciding from the summary: what the punctuator does for every trace. */
  @Benchmark
  public Decision decideFromSummary() {
    int t = i++ & (TRACES - 1);
    return decider.decide(facts[t], ids[t], 0);
  }

  /** Recomputing the facts from the spans, then deciding (after a reload changed the features). */
  @Benchmark
  public Decision decideFromSpans() {
    int t = i++ & (TRACES - 1);
    TraceFacts f = decider.extractor().reextract(spans[t], 0);
    return decider.decide(f, ids[t], 0);
  }
}
