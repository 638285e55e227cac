package io.tailstream.importer;

import io.tailstream.config.ConfigKeys;
import io.tailstream.yaml.Units;
import io.tailstream.yaml.YamlNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The processor's timing and memory settings → tailstream's {@code decision:} keys, each to the
 * nearest one: {@code decision_wait} → {@code wait}; {@code decision_wait_after_root_received} →
 * {@code after-root}; {@code maximum_trace_size_bytes} → {@code max-bytes-per-trace}; the decision
 * caches, which hold a number of trace ids, → {@code late-span-ttl}, the time those ids last at
 * {@code expected_new_traces_per_sec}. {@code num_traces} has no counterpart: tailstream bounds
 * buffered bytes and spills to RocksDB instead of evicting traces.
 */
final class CollectorSettings {
  private static final Set<String> KNOWN = Set.of("policies", "decision_wait",
      "decision_wait_after_root_received", "num_traces", "expected_new_traces_per_sec",
      "decision_cache", "maximum_trace_size_bytes", "sample_on_first_match", "block_on_overflow",
      "num_shards", "sampling_strategy", "drop_pending_traces_on_shutdown", "tail_storage");
  private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private CollectorSettings() {}

  static List<Imported.Setting> of(YamlNode cfg, List<String> warnings) {
    List<Imported.Setting> out = new ArrayList<>();
    for (String key : cfg.entries().keySet()) {
      if (!KNOWN.contains(key)) {
        warnings.add(cfg.get(key).orElseThrow().location() + ": processor setting '" + key
            + "' is not translated");
      }
    }
    Duration wait = cfg.get("decision_wait").map(n -> {
      Duration d = duration(n);
      if (d.isZero()) {
        throw n.error("decision_wait 0s: tailstream's decision.wait must be positive");
      }
      return d;
    }).orElse(Duration.ofMillis(DEFAULT_WAIT_MS));
    out.add(new Imported.Setting(ConfigKeys.WAIT.path(), Units.format(wait), "decision_wait"
        + (cfg.get("decision_wait").isPresent() ? "" : " (the processor's default)")));
    Duration afterRoot = cfg.get("decision_wait_after_root_received").map(CollectorSettings::duration)
        .orElse(Duration.ZERO);
    if (afterRoot.isZero()) {
      out.add(new Imported.Setting(ConfigKeys.AFTER_ROOT.path(), Units.format(wait),
          "decision_wait_after_root_received is off: the root span does not shorten the wait"));
    } else {
      out.add(new Imported.Setting(ConfigKeys.AFTER_ROOT.path(), Units.format(afterRoot),
          "decision_wait_after_root_received"));
    }
    out.add(new Imported.Setting(ConfigKeys.IDLE.path(), Units.format(wait),
        "the processor has no idle timer: a quiet trace waits the full decision_wait"));
    cfg.get("maximum_trace_size_bytes").ifPresent(n -> {
      long bytes = Math.max(1024, Math.min(1L << 30, CollectorPolicies.number(cfg, "maximum_trace_size_bytes", 0)));
      out.add(new Imported.Setting(ConfigKeys.MAX_BYTES_PER_TRACE.path(), Units.formatBytes(bytes),
          "maximum_trace_size_bytes; tailstream decides such a trace at once instead of dropping it"));
    });
    cfg.get("num_traces").ifPresent(n -> out.add(new Imported.Setting(ConfigKeys.STRESS_MAX_BUFFERED_BYTES.path(),
        null, "num_traces: " + n.scalar() + " has no counterpart: tailstream does not evict traces; "
            + "it bounds buffered bytes (this key) and spills the rest to RocksDB")));
    lateSpanTtl(cfg).ifPresent(out::add);
    return out;
  }

  private static java.util.Optional<Imported.Setting> lateSpanTtl(YamlNode cfg) {
    YamlNode cache = cfg.get("decision_cache").orElse(null);
    if (cache == null) {
      return java.util.Optional.empty();
    }
    cache.requireKeys(Set.of("sampled_cache_size", "non_sampled_cache_size"));
    long size = Math.max(CollectorPolicies.number(cache, "sampled_cache_size", 0),
        CollectorPolicies.number(cache, "non_sampled_cache_size", 0));
    long perSecond = CollectorPolicies.number(cfg, "expected_new_traces_per_sec", 0);
    if (size <= 0) {
      return java.util.Optional.empty();
    }
    if (perSecond <= 0) {
      return java.util.Optional.of(new Imported.Setting(ConfigKeys.LATE_SPAN_TTL.path(), null,
          "decision_cache holds " + size + " trace ids; without expected_new_traces_per_sec their "
              + "lifetime is unknown, so the default stays"));
    }
    Duration ttl = Duration.ofSeconds(Math.max(1, size / perSecond));
    return java.util.Optional.of(new Imported.Setting(ConfigKeys.LATE_SPAN_TTL.path(),
        Units.format(ttl), "decision_cache of " + size + " trace ids at expected_new_traces_per_sec "
            + perSecond + "; tailstream remembers keep and drop decisions alike"));
  }

  private static final long DEFAULT_WAIT_MS = 30_000;

  /** A Go duration ({@code 10s}, {@code 1m30s}, {@code 500ms}), rounded up to whole milliseconds. */
  static Duration duration(YamlNode n) {
    String text = n.scalar().trim();
    Matcher m = GO_DURATION.matcher(text);
    double nanos = 0;
    int end = 0;
    while (m.find() && m.start() == end) {
      double v = Double.parseDouble(m.group(1));
      nanos += v * switch (m.group(2)) {
        case "ns" -> 1d;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      end = m.end();
    }
    if (end != text.length() || end == 0) {
      if (text.equals("0")) {
        return Duration.ZERO;
      }
      throw n.error("bad duration '" + text + "': expected a Go duration such as 10s, 1m30s or 500ms");
    }
    long ms = (long) Math.ceil(nanos / 1e6);
    return Duration.ofMillis(ms);
  }
}
