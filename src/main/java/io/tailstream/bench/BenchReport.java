package io.tailstream.bench;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code tailstream bench} prints and, with {@code --json}, writes. The JSON is flat enough
 * to diff across commits; {@code ratio_repartition} and {@code ratio_keyed} are the headline
 * figures (tailstream spans/s over the copy's on the same input records).
 */
public record BenchReport(EndToEndBenchmark.Options options, BenchInput.Topics input,
    List<RunFigures> runs, MemoryScenario.Result memory) {

  RunFigures run(String name) {
    return runs.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  /** (b)/(a): tailstream with the repartition over the copy of the same batched records. */
  public double ratioRepartition() {
    return run("tailstream-repartition").spansPerSecond() / run("copy").spansPerSecond();
  }

  /** (c)/(a): tailstream on keyed input over the copy of the same keyed records. */
  public double ratioKeyed() {
    return run("tailstream-keyed").spansPerSecond() / run("copy-keyed").spansPerSecond();
  }

  /** (c) over a bare changelogged buffer of the same keyed records: what tailstream adds to it. */
  public double ratioKeyedToStoreFloor() {
    return run("tailstream-keyed").spansPerSecond() / run("store-floor-keyed").spansPerSecond();
  }

  public String table() {
    StringBuilder out = new StringBuilder();
    BenchInput.Loaded b = input.batched();
    BenchInput.Loaded k = input.keyed();
    out.append(String.format("machine: %d cores, Java %s, %d partitions, %d stream thread(s)%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        options.partitions(), options.threads()));
    out.append(String.format("input: %,d spans, %,d traces (%.0f OTLP bytes/span); batched: %,d records,"
            + " %.1f MB; keyed: %,d records, %.1f MB%n",
        b.spans(), b.traces(), b.bytesPerSpan(), b.records(), b.bytes() / 1e6, k.records(), k.bytes() / 1e6));
    out.append(String.format("%-24s %10s %7s %9s %9s %8s %13s %10s%n", "run", "spans/s", "MB/s",
        "cpu s/M", "thread s/M", "vs copy", "late p50/p99", "store B/span"));
    for (RunFigures r : runs) {
      double vsCopy = r.spansPerSecond()
          / run(r.name().endsWith("keyed") ? "copy-keyed" : "copy").spansPerSecond();
      out.append(String.format("%-24s %,10.0f %7.1f %9.1f %9.1f %8.2f %13s %10s%n", r.name(),
          r.spansPerSecond(), r.megabytesPerSecond(), r.processCpuPerMillionSpans(),
          r.streamCpuPerMillionSpans(), vsCopy,
          r.isBaseline() ? "-" : String.format("%.0f/%.0f ms", r.latenessP50Ms(), r.latenessP99Ms()),
          r.isBaseline() ? "-" : String.format("%.0f", r.storeBytesPerSpan())));
    }
    out.append(String.format("ratio_repartition (b/a) %.2f   ratio_keyed (c/a) %.2f   keyed vs store floor %.2f%n",
        ratioRepartition(), ratioKeyed(), ratioKeyedToStoreFloor()));
    for (RunFigures r : runs) {
      if (!r.isBaseline()) {
        out.append(String.format("%s: all %,d traces decided %.1f s after start (kept %,d, dropped %,d),"
                + " heap after GC %d MiB, store %.2f× the input's OTLP bytes per span%n",
            r.name(), r.input().traces(), r.decidedSeconds(), r.kept(), r.dropped(),
            r.heapAfterGcBytes() >> 20, r.storeBytesPerSpan() / r.input().bytesPerSpan()));
      }
    }
    if (memory != null) {
      out.append(String.format("%-18s %16s %18s %20s%n", "traces in flight", "heap after GC",
          "RocksDB files", "buffered OTLP bytes"));
      for (MemoryScenario.Point p : memory.points()) {
        out.append(String.format("%,18d %12d MiB %14d MiB %16d MiB%n", p.traces(),
            p.heapAfterGcBytes() >> 20, p.rocksDbFileBytes() >> 20, p.bufferedOtlpBytes() >> 20));
      }
      out.append(String.format("memory scenario store: %.0f bytes/span on disk after close vs %.0f OTLP"
              + " bytes/span in (%.2f×)%n", memory.storeBytesPerSpan(), memory.inputBytesPerSpan(),
          memory.storeBytesPerSpan() / memory.inputBytesPerSpan()));
    }
    out.append("cpu s/M: process CPU seconds per million spans (the in-JVM broker included); "
        + "thread s/M: the app's stream threads only.\n");
    return out.toString();
  }

  public String json() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("ratio_repartition", ratioRepartition());
    root.put("ratio_keyed", ratioKeyed());
    root.put("ratio_keyed_to_store_floor", ratioKeyedToStoreFloor());
    root.put("cores", Runtime.getRuntime().availableProcessors());
    root.put("java", System.getProperty("java.version"));
    root.put("partitions", options.partitions());
    root.put("stream_threads", options.threads());
    root.put("spans", input.batched().spans());
    root.put("traces", input.batched().traces());
    root.put("input_bytes_per_span", input.batched().bytesPerSpan());
    List<Map<String, Object>> list = new ArrayList<>();
    for (RunFigures r : runs) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", r.name());
      m.put("seconds", r.seconds());
      m.put("spans_per_second", r.spansPerSecond());
      m.put("mb_per_second", r.megabytesPerSecond());
      m.put("process_cpu_seconds_per_million_spans", r.processCpuPerMillionSpans());
      m.put("stream_thread_cpu_seconds_per_million_spans", r.streamCpuPerMillionSpans());
      if (!r.isBaseline()) {
        m.put("all_decided_seconds", r.decidedSeconds());
        m.put("decision_lateness_p50_ms", r.latenessP50Ms());
        m.put("decision_lateness_p99_ms", r.latenessP99Ms());
        m.put("heap_after_gc_bytes", r.heapAfterGcBytes());
        m.put("store_bytes_per_span", r.storeBytesPerSpan());
        m.put("kept", r.kept());
        m.put("dropped", r.dropped());
      }
      list.add(m);
    }
    root.put("runs", list);
    if (memory != null) {
      List<Map<String, Object>> points = new ArrayList<>();
      for (MemoryScenario.Point p : memory.points()) {
        points.add(Map.of("traces_in_flight", p.traces(), "heap_after_gc_bytes", p.heapAfterGcBytes(),
            "rocksdb_file_bytes", p.rocksDbFileBytes(), "buffered_otlp_bytes", p.bufferedOtlpBytes()));
      }
      root.put("memory", points);
      root.put("memory_store_bytes_per_span", memory.storeBytesPerSpan());
      root.put("memory_input_bytes_per_span", memory.inputBytesPerSpan());
    }
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create()
        .toJson(root);
  }
}
