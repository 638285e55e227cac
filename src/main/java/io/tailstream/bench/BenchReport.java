package io.tailstream.bench;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code tailstream bench} prints and, with {@code --json}, writes. The JSON is flat enough
 * to diff across commits; {@code ratio_repartition} and {@code ratio_keyed} (tailstream spans/s
 * over the copy's on the same input records) and {@code ratio_repartition_vs_memory} and
 * {@code ratio_keyed_vs_memory} (over the in-memory sampler's on the same records) are the
 * headline figures, with {@code broker_bytes_per_input_byte_keyed} and {@code _repartition}.
 *
 * @param expected what a replay of the measured input keeps (every span read before any trace
 *     is decided, the same rules): the reference the designs' kept counts are shown against;
 *     null when not computed
 * @param rebuilds the rebuild rounds, empty when not run; {@code reread_seconds_per_gb} (null
 *     keys, the by-trace topic) and {@code reread_seconds_per_gb_keyed} in the JSON
 * @param live the live round (decision lateness on live traffic), null when not run;
 *     {@code live_decision_lateness_p50_ms} and {@code _p99_ms} in the JSON
 */
public record BenchReport(EndToEndBenchmark.Options options, BenchInput.Topics input,
    Rounds rounds, MemoryScenario.Result memory, Expected expected,
    List<RebuildRound.Result> rebuilds, LiveRound.Result live) {
  static final String KEYED = "tailstream-keyed";
  static final String REPARTITION = "tailstream-repartition";
  static final String IN_MEMORY = "in-memory";
  static final String IN_MEMORY_KEYED = "in-memory-keyed";

  public BenchReport {
    rebuilds = List.copyOf(rebuilds);
  }

  /** One measured round. */
  public BenchReport(EndToEndBenchmark.Options options, BenchInput.Topics input, List<RunFigures> runs,
      MemoryScenario.Result memory, Expected expected, List<RebuildRound.Result> rebuilds,
      LiveRound.Result live) {
    this(options, input, Rounds.one(runs), memory, expected, rebuilds, live);
  }

  /** One measured round, without rebuild rounds and live round. */
  public BenchReport(EndToEndBenchmark.Options options, BenchInput.Topics input, List<RunFigures> runs,
      MemoryScenario.Result memory, Expected expected) {
    this(options, input, runs, memory, expected, List.of(), null);
  }

  /** Per app, its run with the median spans/s over the rounds (the only run with one round). */
  public List<RunFigures> runs() {
    return rounds.medians();
  }

  /** Kept traces of a replay of the input, in total and per rule. */
  public record Expected(long traces, long kept, Map<String, Long> keptByRule) {
    public Expected {
      keptByRule = Map.copyOf(keptByRule);
    }
  }

  /** The rebuild round of that name ({@code rebuild-repartition}, {@code rebuild-keyed}), or null. */
  RebuildRound.Result rebuild(String name) {
    return rebuilds.stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
  }

  RunFigures run(String name) {
    return runs().stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no run named " + name + " in " + runs().stream()
            .map(RunFigures::name).toList()));
  }

  /** (b)/(a): tailstream with the repartition over the copy of the same batched records. */
  public double ratioRepartition() {
    return ratio(REPARTITION, "copy");
  }

  /** (c)/(a): tailstream on keyed input over the copy of the same keyed records. */
  public double ratioKeyed() {
    return ratio(KEYED, "copy-keyed");
  }

  /** (c) over a bare changelogged buffer of the same keyed records: what tailstream adds to it. */
  public double ratioKeyedToStoreFloor() {
    return ratio(KEYED, "store-floor-keyed");
  }

  /** (b) over the in-memory sampler on the same batched records. */
  public double ratioRepartitionVsMemory() {
    return ratio(REPARTITION, IN_MEMORY);
  }

  /** (c) over the in-memory sampler on the same keyed records. */
  public double ratioKeyedVsMemory() {
    return ratio(KEYED, IN_MEMORY_KEYED);
  }

  /** The median over the rounds of the per-round ratio (with one round: that round's). */
  private double ratio(String run, String over) {
    return rounds.ratio(run, over).median();
  }

  /** The run of the same input shape as {@code r}: keyed runs' names end in "keyed". */
  private RunFigures sameInput(RunFigures r, String batched, String keyed) {
    return run(r.name().endsWith("keyed") ? keyed : batched);
  }

  public String table() {
    StringBuilder out = new StringBuilder();
    BenchInput.Loaded b = input.batched();
    BenchInput.Loaded k = input.keyed();
    out.append(String.format("machine: %d cores, Java %s, max heap %d MiB, %d partitions, %d stream thread(s), "
            + "tailstream heap buffer %s, stage metrics %s%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20, options.partitions(), options.threads(),
        options.heapBuffer() == null ? "default" : options.heapBuffer(), options.stageMetrics() ? "on" : "off"));
    out.append(String.format("input: %,d spans, %,d traces (%.0f OTLP bytes/span); batched: %,d records,"
            + " %.1f MB; keyed: %,d records, %.1f MB%n",
        b.spans(), b.traces(), b.bytesPerSpan(), b.records(), b.bytes() / 1e6, k.records(), k.bytes() / 1e6));
    out.append(String.format("%-24s %10s %7s %9s %9s %8s %8s %13s %10s %9s%n", "run", "spans/s", "MB/s",
        "cpu s/M", "thread s/M", "vs copy", "vs mem", "late p50/p99", "store B/span", "broker×in"));
    for (RunFigures r : runs()) {
      double vsCopy = r.spansPerSecond() / sameInput(r, "copy", "copy-keyed").spansPerSecond();
      double vsMemory = r.spansPerSecond() / sameInput(r, IN_MEMORY, IN_MEMORY_KEYED).spansPerSecond();
      out.append(String.format("%-24s %,10.0f %7.1f %9.1f %9.1f %8.2f %8.2f %13s %10s %9s%n", r.name(),
          r.spansPerSecond(), r.megabytesPerSecond(), r.processCpuPerMillionSpans(),
          r.streamCpuPerMillionSpans(), vsCopy, vsMemory,
          Double.isNaN(r.latenessP99Ms()) ? "-"
              : String.format("%.0f/%.0f ms", r.latenessP50Ms(), r.latenessP99Ms()),
          r.hasStore() ? String.format("%.0f", r.storeBytesPerSpan()) : "-",
          Double.isNaN(r.brokerBytesPerInputByte()) ? "-" : String.format("%.2f", r.brokerBytesPerInputByte())));
    }
    out.append(String.format("ratio_repartition (b/a) %.2f   ratio_keyed (c/a) %.2f   keyed vs store floor %.2f%n",
        ratioRepartition(), ratioKeyed(), ratioKeyedToStoreFloor()));
    out.append(String.format("ratio_repartition_vs_memory %.2f   ratio_keyed_vs_memory %.2f%n",
        ratioRepartitionVsMemory(), ratioKeyedVsMemory()));
    if (rounds.count() > 1) {
      out.append(String.format("%d rounds: each app's median run above, ratios the median of the rounds'; "
          + "per round (vs memory b, c; vs copy b, c):%n", rounds.count()));
      for (int i = 0; i < rounds.count(); i++) {
        out.append(String.format("  round %d: %.2f %.2f; %.2f %.2f%n", i + 1,
            rounds.perRound(REPARTITION, IN_MEMORY).get(i), rounds.perRound(KEYED, IN_MEMORY_KEYED).get(i),
            rounds.perRound(REPARTITION, "copy").get(i), rounds.perRound(KEYED, "copy-keyed").get(i)));
      }
    }
    out.append(String.format("broker bytes written per input byte: keyed %.2f, repartition %.2f%n",
        run(KEYED).brokerBytesPerInputByte(), run(REPARTITION).brokerBytesPerInputByte()));
    for (RunFigures r : runs()) {
      if (!r.isBaseline()) {
        out.append(decisions(r));
      }
    }
    if (expected != null) {
      out.append(String.format("replay of the same input (every span read first, the same rules): %,d of %,d"
          + " traces kept%n", expected.kept(), expected.traces()));
    }
    for (RunFigures r : runs()) {
      if (r.brokerWrites() != null && !r.brokerWrites().byTopic().isEmpty()) {
        out.append(String.format("%s wrote (%s): %s%n", r.name(), r.brokerWrites().source(),
            megabytes(r.brokerWrites().byTopic())));
      }
    }
    for (RebuildRound.Result r : rebuilds) {
      out.append(String.format("%s: %,d traces (%.1f MB) buffered; a new instance with an empty state dir re-read"
              + " %,d records (%.1f MB) in %.2f s = %.1f s/GB, every task (%d) rebuilt %.2f s after its start,"
              + " %,d traces buffered again%n", r.name(), r.bufferedTraces(), r.bufferedBytes() / 1e6,
          r.records(), r.bytes() / 1e6, r.rereadSeconds(), r.secondsPerGigabyte(), r.rebuilds(),
          r.recoverySeconds(), r.rebuiltTraces()));
    }
    if (live != null) {
      out.append(String.format("live: %,d traces decided over %.1f s of steady null-key traffic; decision "
          + "lateness on input time p50 %.0f ms, p99 %.0f ms (the drain rounds' lateness is a backlog's clock steps)%n",
          live.traces(), live.seconds(), live.latenessP50Ms(), live.latenessP99Ms()));
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
        + "thread s/M: the app's stream threads only (the in-memory sampler's one thread);\n"
        + "broker×in: bytes the round wrote to every topic but its input, per byte of the input topic.\n");
    return out.toString();
  }

  private String decisions(RunFigures r) {
    String line = String.format("%s: all %,d traces decided %.1f s after start (kept %,d, dropped %,d)",
        r.name(), r.input().traces(), r.decidedSeconds(), r.kept(), r.dropped());
    if (r.hasStore()) {
      line += String.format(", heap after GC %d MiB, store %.2f× the input's OTLP bytes per span",
          r.heapAfterGcBytes() >> 20, r.storeBytesPerSpan() / r.input().bytesPerSpan());
    }
    if (expected != null && !r.keptByRule().isEmpty()) {
      Map<String, String> differ = new TreeMap<>();
      Set<String> rules = new TreeSet<>(expected.keptByRule().keySet());
      rules.addAll(r.keptByRule().keySet());
      for (String rule : rules) {
        long mine = r.keptByRule().getOrDefault(rule, 0L);
        long replay = expected.keptByRule().getOrDefault(rule, 0L);
        if (mine != replay) {
          differ.put(rule, mine + " vs " + replay);
        }
      }
      line += differ.isEmpty() ? "; every rule keeps as many as the replay"
          : "; rules that keep another number than the replay (rate limits, dynamic samplers and"
              + " learned thresholds follow the clock a design decides on): " + differ;
    }
    return line + String.format("%n");
  }

  private static String megabytes(Map<String, Long> byTopic) {
    StringBuilder b = new StringBuilder();
    new TreeMap<>(byTopic).forEach((topic, bytes) -> b.append(b.length() == 0 ? "" : ", ")
        .append(topic).append(' ').append(String.format("%.1f MB", bytes / 1e6)));
    return b.toString();
  }

  public String json() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("ratio_repartition", ratioRepartition());
    root.put("ratio_keyed", ratioKeyed());
    root.put("ratio_keyed_to_store_floor", ratioKeyedToStoreFloor());
    root.put("ratio_repartition_vs_memory", ratioRepartitionVsMemory());
    root.put("ratio_keyed_vs_memory", ratioKeyedVsMemory());
    root.put("rounds", rounds.count());
    if (rounds.count() > 1) {
      Map<String, Object> perRound = new LinkedHashMap<>();
      perRound.put("ratio_repartition", rounds.perRound(REPARTITION, "copy"));
      perRound.put("ratio_keyed", rounds.perRound(KEYED, "copy-keyed"));
      perRound.put("ratio_repartition_vs_memory", rounds.perRound(REPARTITION, IN_MEMORY));
      perRound.put("ratio_keyed_vs_memory", rounds.perRound(KEYED, IN_MEMORY_KEYED));
      root.put("ratios_per_round", perRound);
    }
    root.put("broker_bytes_per_input_byte_keyed", run(KEYED).brokerBytesPerInputByte());
    root.put("broker_bytes_per_input_byte_repartition", run(REPARTITION).brokerBytesPerInputByte());
    BrokerBytes.Written keyedWrites = run(KEYED).brokerWrites();
    root.put("broker_bytes_source", keyedWrites == null ? null : keyedWrites.source());
    root.put("cores", Runtime.getRuntime().availableProcessors());
    root.put("java", System.getProperty("java.version"));
    root.put("partitions", options.partitions());
    root.put("stream_threads", options.threads());
    root.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    root.put("heap_buffer", options.heapBuffer());
    root.put("stage_metrics", options.stageMetrics());
    root.put("spans", input.batched().spans());
    root.put("traces", input.batched().traces());
    root.put("input_bytes_per_span", input.batched().bytesPerSpan());
    if (expected != null) {
      root.put("replay_kept", expected.kept());
      root.put("replay_kept_by_rule", new TreeMap<>(expected.keptByRule()));
    }
    if (!rebuilds.isEmpty()) {
      RebuildRound.Result nullKeys = rebuild("rebuild-repartition");
      RebuildRound.Result keyed = rebuild("rebuild-keyed");
      root.put("reread_seconds_per_gb", nullKeys == null ? null : nullKeys.secondsPerGigabyte());
      root.put("reread_seconds_per_gb_keyed", keyed == null ? null : keyed.secondsPerGigabyte());
    }
    List<Map<String, Object>> list = new ArrayList<>();
    for (RunFigures r : runs()) {
      list.add(json(r));
    }
    root.put("runs", list);
    if (!rebuilds.isEmpty()) {
      List<Map<String, Object>> rounds = new ArrayList<>();
      for (RebuildRound.Result r : rebuilds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", r.name());
        m.put("buffered_traces", r.bufferedTraces());
        m.put("buffered_bytes", r.bufferedBytes());
        m.put("rebuilds", r.rebuilds());
        m.put("reread_records", r.records());
        m.put("reread_bytes", r.bytes());
        m.put("reread_seconds", r.rereadSeconds());
        m.put("reread_seconds_per_gb", r.secondsPerGigabyte());
        m.put("recovery_seconds", r.recoverySeconds());
        m.put("rebuilt_traces", r.rebuiltTraces());
        rounds.add(m);
      }
      root.put("rebuilds", rounds);
    }
    if (live != null) {
      root.put("live_traces", live.traces());
      root.put("live_decision_lateness_p50_ms", live.latenessP50Ms());
      root.put("live_decision_lateness_p99_ms", live.latenessP99Ms());
    }
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
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().serializeNulls()
        .create().toJson(root);
  }

  private static Map<String, Object> json(RunFigures r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.name());
    m.put("seconds", r.seconds());
    m.put("spans_per_second", r.spansPerSecond());
    m.put("mb_per_second", r.megabytesPerSecond());
    m.put("process_cpu_seconds_per_million_spans", r.processCpuPerMillionSpans());
    m.put("stream_thread_cpu_seconds_per_million_spans", r.streamCpuPerMillionSpans());
    if (!r.isBaseline()) {
      m.put("all_decided_seconds", r.decidedSeconds());
      m.put("kept", r.kept());
      m.put("dropped", r.dropped());
    }
    if (r.hasStore()) {
      m.put("decision_lateness_p50_ms", r.latenessP50Ms());
      m.put("decision_lateness_p99_ms", r.latenessP99Ms());
      m.put("heap_after_gc_bytes", r.heapAfterGcBytes());
      m.put("store_bytes_per_span", r.storeBytesPerSpan());
    }
    if (!r.keptByRule().isEmpty()) {
      m.put("kept_by_rule", new TreeMap<>(r.keptByRule()));
    }
    if (r.brokerWrites() != null) {
      m.put("broker_bytes_written", r.brokerWrites().total());
      m.put("broker_input_bytes", r.brokerWrites().inputBytes());
      m.put("broker_bytes_per_input_byte", r.brokerBytesPerInputByte());
      m.put("broker_bytes_by_topic", new TreeMap<>(r.brokerWrites().byTopic()));
    }
    return m;
  }
}
