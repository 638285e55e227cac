package io.tailstream.bench;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.TracesData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tailstream.adapt.AdaptiveState;
import io.tailstream.adapt.StageMap;
import io.tailstream.decide.Decider;
import io.tailstream.decide.FactsExtractor;
import io.tailstream.loadgen.LoadGenerator;
import io.tailstream.loadgen.PipelineSimulator;
import io.tailstream.metrics.StageMeters;
import io.tailstream.otlp.Encoding;
import io.tailstream.otlp.OtlpCodec;
import io.tailstream.otlp.ProtoTraceSplitter;
import io.tailstream.otlp.TraceAssembler;
import io.tailstream.otlp.TraceSplitter;
import io.tailstream.rules.RuleSet;
import io.tailstream.rules.RulesParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The split step and the emission, per collector batch of ten traces from the demo's SDK
 * workload (about 65 spans, 10 KB): the former path (parse the whole request, regroup with
 * builders, serialize each fragment) against splitting on the bytes, both with the facts
 * extraction the split step does; and one kept trace's output record from its buffered fragment,
 * re-encoded (the former path, still used when the threshold is rewritten) or passed through.
 * {@code splitOnBytesLearning} and {@code splitOnBytesStageMetered} are the split step as it runs
 * (extraction feeding learners and stage statistics), without and with the per-stage meters.
 * Run with {@code scripts/jmh SplitAndEmitBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SplitAndEmitBenchmark {
  private static final int BATCHES = 64;
  private static final long NOW_MS = 1_790_000_000_000L;

  private byte[][] batches;
  private List<List<byte[]>> keptTraceBytes;
  private FactsExtractor extractor;
  /** As the split step runs it: feeding learners and stage statistics, without stage meters. */
  private FactsExtractor learning;
  /** The same, with every span classified and metered by stage. */
  private FactsExtractor metered;
  private ProtoTraceSplitter splitter;
  private TraceAssembler assembler;
  private int i;

  @Setup
  public void setUp() throws Exception {
    RuleSet rules = RulesParser.load(Path.of("examples/rules-ml-inference.yaml"));
    extractor = Decider.compile(rules).extractor();
    learning = Decider.compile(rules, AdaptiveState.standalone()).extractor();
    AdaptiveState withStages = AdaptiveState.standalone();
    StageMap map = StageMap.defaults();
    withStages.observeStagesWith(map, new StageMeters(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        map.stages(), 50, 50, 1_000));
    metered = Decider.compile(rules, withStages).extractor();
    splitter = new ProtoTraceSplitter();
    assembler = new TraceAssembler(OtlpCodec.of(Encoding.OTLP_PROTO), 1 << 20);
    batches = new byte[BATCHES][];
    keptTraceBytes = new ArrayList<>();
    try (PipelineSimulator simulator = new PipelineSimulator(7, 0.02)) {
      for (int b = 0; b < BATCHES; b++) {
        List<SpanData> spans = new ArrayList<>();
        for (int t = 0; t < 10; t++) {
          spans.addAll(simulator.next(1_790_000_000_000_000_000L + (b * 10L + t) * 1_000_000L, List.of()).spans());
        }
        batches[b] = LoadGenerator.encode(spans, Encoding.OTLP_PROTO);
        for (ProtoTraceSplitter.Fragment f : splitter.split(batches[b]).fragments()) {
          keptTraceBytes.add(List.of(f.encoded()));
        }
      }
    }
  }

  @Benchmark
  public void splitByParsing(Blackhole bh) throws Exception {
    byte[] batch = batches[i++ & (BATCHES - 1)];
    TraceSplitter.Split split = TraceSplitter.split(ExportTraceServiceRequest.parseFrom(batch));
    split.fragments().forEach((id, data) -> {
      byte[] encoded = data.toByteArray();
      bh.consume(extractor.reextract(data, encoded.length));
      bh.consume(encoded);
    });
  }

  @Benchmark
  public void splitOnBytes(Blackhole bh) throws Exception {
    byte[] batch = batches[i++ & (BATCHES - 1)];
    for (ProtoTraceSplitter.Fragment f : splitter.split(batch).fragments()) {
      bh.consume(extractor.reextract(f.parsed(), f.encoded().length));
      bh.consume(f.encoded());
    }
  }

  /** What the split step does per batch: extraction that feeds the adaptive state. */
  @Benchmark
  public void splitOnBytesLearning(Blackhole bh) throws Exception {
    byte[] batch = batches[i++ & (BATCHES - 1)];
    for (ProtoTraceSplitter.Fragment f : splitter.split(batch).fragments()) {
      bh.consume(learning.extract(f.parsed(), f.encoded().length, NOW_MS));
    }
  }

  /** The same with the stage meters on (stages.enabled, the default). */
  @Benchmark
  public void splitOnBytesStageMetered(Blackhole bh) throws Exception {
    byte[] batch = batches[i++ & (BATCHES - 1)];
    for (ProtoTraceSplitter.Fragment f : splitter.split(batch).fragments()) {
      bh.consume(metered.extract(f.parsed(), f.encoded().length, NOW_MS));
    }
  }

  /** The former emission of a kept trace: parse its buffered fragments, regroup, re-encode. */
  @Benchmark
  public List<byte[]> emitByReencoding() throws Exception {
    List<byte[]> fragments = keptTraceBytes.get(i++ % keptTraceBytes.size());
    List<TracesData> parsed = new ArrayList<>(fragments.size());
    for (byte[] f : fragments) {
      parsed.add(TracesData.parseFrom(f));
    }
    return assembler.assemble(parsed, UnaryOperator.identity(), new ArrayList<>(0));
  }

  /** The emission of a kept trace whose spans go out unchanged: its fragments' bytes. */
  @Benchmark
  public List<byte[]> emitPassThrough() throws Exception {
    return assembler.passThrough(keptTraceBytes.get(i++ % keptTraceBytes.size()), new ArrayList<>(0));
  }
}
