package io.tailstream.topology;

import io.tailstream.buffer.TraceSummary;
import io.tailstream.decide.Decider;
import io.tailstream.decide.TraceFacts;
import io.tailstream.rules.RulesParser;
import io.opentelemetry.proto.trace.v1.TracesData;
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
 * A summary update as the buffer does it when the record cache misses: read the stored summary,
 * merge a fragment's facts, write it back, with the ML policy's features and model maxima.
 * Run with {@code scripts/jmh SummaryBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SummaryBenchmark {
  private static final int TRACES = 1024;

  private byte[][] stored;
  private TraceFacts[] fragments;
  private int i;

  @Setup
  public void setUp() {
    Decider decider = Decider.compile(RulesParser.load(Path.of("examples/rules-ml-inference.yaml")));
    InferenceWorkload workload = new InferenceWorkload(7, 0.02, 0.02, 0.02);
    stored = new byte[TRACES][];
    fragments = new TraceFacts[TRACES];
    for (int t = 0; t < TRACES; t++) {
      TracesData data = TracesData.newBuilder().addAllResourceSpans(workload.next().resources()).build();
      TraceFacts facts = decider.extractor().reextract(data, data.getSerializedSize());
      stored[t] = InternalSerdes.SUMMARY.serializer().serialize("", TraceSummary.first(facts, 1_000));
      fragments[t] = facts;
    }
  }

  @Benchmark
  public byte[] updateStoredSummary() {
    int t = i++ & (TRACES - 1);
    TraceSummary summary = InternalSerdes.SUMMARY.deserializer().deserialize("", stored[t]);
    return InternalSerdes.SUMMARY.serializer().serialize("", summary.add(fragments[t], 2_000));
  }
}
