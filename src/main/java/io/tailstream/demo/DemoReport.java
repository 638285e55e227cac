package io.tailstream.demo;

import io.tailstream.loadgen.Incident;
import io.tailstream.loadgen.LoadGenerator;
import io.tailstream.metrics.TailstreamMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's outcome: traffic in, kept per rule, storage reduction, incident recall (the share of
 * incident traces kept whole, which must be 100%), where the time of a request goes per stage for
 * all traffic and for the kept traces side by side (the kept sample is biased towards the slow
 * and the failed, which is why tailstream meters every span), where the kept traces are — as text
 * and as a self-contained HTML page with inline SVG charts (no scripts, no network).
 */
public record DemoReport(long tracesIn, long spansIn, long spansOut, Map<String, Long> keptByRule,
    long dropped, Map<Incident.Kind, long[]> recall, List<String> events, Path keptDump,
    long[] spansInPerSecond, long[] spansOutPerSecond, List<Incident> incidents,
    Map<String, double[]> inferencePercentiles, double decisionDelayP99Ms,
    Map<String, StageBreakdown.Row> stagesAll, Map<String, StageBreakdown.Row> stagesKept) {
  /** The stage of root spans in the default mapping: the end-to-end latency shares are of. */
  static final String ROOT_STAGE = "request";


  static DemoReport of(LoadGenerator.Result sent, TailstreamMetrics m, DemoRecorder r,
      List<Incident> incidents, Path keptDump, Duration duration) {
    Map<Incident.Kind, long[]> recall = new EnumMap<>(Incident.Kind.class);
    r.incidentTraces.forEach((id, expected) -> {
      long[] counts = recall.computeIfAbsent(expected.kind(), k -> new long[2]);
      counts[1]++;
      if (r.keptSpans.getOrDefault(id, 0) == expected.spans()) {
        counts[0]++;
      }
    });
    int seconds = (int) Math.min(DemoRecorder.MAX_SECONDS, duration.toSeconds() + 15);
    long[] in = new long[seconds];
    long[] out = new long[seconds];
    for (int i = 0; i < seconds; i++) {
      in[i] = r.spansIn.get(i);
      out[i] = r.spansOut.get(i);
    }
    return new DemoReport(sent.traces(), sent.spans(), m.spansOut(), m.keptByRule(),
        m.tracesDropped(), recall, r.events(), keptDump, in, out, incidents,
        r.inferencePercentiles(), m.decisionDelayPercentile(99), r.allStages.rows(ROOT_STAGE),
        r.keptStages.rows(ROOT_STAGE));
  }

  /** Incident traces kept whole / incident traces, over all incidents (1 when there were none). */
  public double incidentRecall() {
    long kept = recall.values().stream().mapToLong(c -> c[0]).sum();
    long all = recall.values().stream().mapToLong(c -> c[1]).sum();
    return all == 0 ? 1 : (double) kept / all;
  }

  public double storageReduction() {
    return spansOut == 0 ? Double.POSITIVE_INFINITY : (double) spansIn / spansOut;
  }

  public long keptTraces() {
    return keptByRule.values().stream().mapToLong(Long::longValue).sum();
  }

  public String text() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("traces in:         %,d (%,d spans)%n", tracesIn, spansIn));
    b.append(String.format("kept:              %,d traces, %,d spans; dropped %,d traces%n",
        keptTraces(), spansOut, dropped));
    b.append("kept per rule:\n");
    keptByRule.forEach((rule, n) -> b.append(String.format("  %-26s %,8d%n", rule, n)));
    b.append(String.format("storage reduction: %.1fx (spans in / spans kept)%n", storageReduction()));
    b.append(String.format("decision delay:    p99 %,.0f ms%n", decisionDelayP99Ms));
    b.append(String.format("incident recall:   %.1f%% of incident traces kept whole%n", incidentRecall() * 100));
    recall.forEach((kind, c) -> b.append(String.format("  %-26s %,d of %,d%n", kind, c[0], c[1])));
    b.append("where did the time go (span duration per stage; share: of the end-to-end request's, at p50 / p99):\n");
    b.append(String.format("  %-18s %-34s %s%n", "stage", "all traffic", "kept traces"));
    stageRows().forEach(row -> b.append(String.format("  %-18s %-34s %s%n", row[0], row[1], row[2])));
    b.append("events:\n");
    events.forEach(e -> b.append("  ").append(e).append('\n'));
    b.append("kept traces:       topic sampled_traces on the demo broker (gone when it stops), and\n");
    b.append("                   ").append(keptDump.toAbsolutePath())
        .append(" (tailstream replay --rules … --from-file …)\n");
    return b.toString();
  }

  public String html() {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>")
        .append("<title>tailstream demo report</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}")
        .append("table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}")
        .append("td.n{text-align:right}.ok{color:#1a7f37;font-weight:bold}.bad{color:#c0392b;font-weight:bold}")
        .append("</style></head><body>\n");
    h.append("<h1>tailstream demo report</h1>\n<table>");
    row(h, "traces in", String.format("%,d (%,d spans)", tracesIn, spansIn));
    row(h, "kept", String.format("%,d traces, %,d spans", keptTraces(), spansOut));
    row(h, "storage reduction", String.format("%.1f×", storageReduction()));
    row(h, "decision delay p99", String.format("%,.0f ms", decisionDelayP99Ms));
    h.append("<tr><th>incident recall</th><td class=\"").append(incidentRecall() == 1 ? "ok" : "bad")
        .append("\">").append(String.format("%.1f%%", incidentRecall() * 100)).append("</td></tr>");
    recall.forEach((kind, c) -> row(h, "  " + kind, String.format("%,d of %,d kept whole", c[0], c[1])));
    h.append("</table>\n<h2>Spans per second</h2>\n").append(timeChart());
    h.append("<h2>Kept traces per rule</h2>\n").append(barChart(keptByRule));
    h.append("<h2>Inference latency per model (p50, p95, p99)</h2>\n").append(latencyChart());
    h.append("<h2>Where did the time go: per stage, all traffic and kept traces</h2>\n")
        .append("<p>Span duration per pipeline stage, p50 / p99, and its share of the end-to-end request's ")
        .append("p50 / p99. Kept traces are the slow and the failed ones more than the rest: their stages ")
        .append("look slower than the traffic's, which tailstream meters over every span.</p>\n<table>")
        .append("<tr><th>stage</th><th>all traffic</th><th>kept traces</th></tr>");
    stageRows().forEach(row -> h.append("<tr><th>").append(escape(row[0])).append("</th><td class=\"n\">")
        .append(escape(row[1])).append("</td><td class=\"n\">").append(escape(row[2])).append("</td></tr>"));
    h.append("</table>\n");
    h.append("<h2>Events</h2>\n<ul>");
    events.forEach(e -> h.append("<li>").append(escape(e)).append("</li>"));
    h.append("</ul>\n<p>Kept traces: ").append(escape(keptDump.toAbsolutePath().toString()))
        .append("</p>\n</body></html>\n");
    return h.toString();
  }

  /** Per stage seen on either side: its name, then "p50 / p99 ms (share / share)" for each side. */
  List<String[]> stageRows() {
    java.util.Set<String> stages = new java.util.LinkedHashSet<>(stagesAll.keySet());
    stages.addAll(stagesKept.keySet());
    return stages.stream().map(s -> new String[] {s, cell(stagesAll.get(s)), cell(stagesKept.get(s))}).toList();
  }

  private static String cell(StageBreakdown.Row r) {
    if (r == null) {
      return "-";
    }
    return String.format("%,.0f / %,.0f ms (%.0f%% / %.0f%%)", r.p50Ms(), r.p99Ms(), r.p50Share() * 100,
        r.p99Share() * 100);
  }

  private static void row(StringBuilder h, String name, String value) {
    h.append("<tr><th>").append(escape(name)).append("</th><td>").append(escape(value)).append("</td></tr>");
  }

  private String timeChart() {
    int w = 900;
    int hgt = 260;
    int left = 60;
    int bottom = 30;
    int n = spansInPerSecond.length;
    long max = 1;
    for (long v : spansInPerSecond) {
      max = Math.max(max, v);
    }
    double xs = (double) (w - left - 10) / Math.max(1, n - 1);
    double ys = (double) (hgt - bottom - 10) / max;
    StringBuilder s = new StringBuilder();
    s.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">", w, hgt));
    int label = 0;
    for (Incident i : incidents) {
      label++;
      double x0 = left + i.start().toSeconds() * xs;
      double x1 = left + (i.start().plus(i.duration()).toMillis() / 1000.0) * xs;
      s.append(String.format("<rect x=\"%.1f\" y=\"10\" width=\"%.1f\" height=\"%d\" fill=\"#f5b7b1\" opacity=\"0.5\"/>",
          x0, Math.max(2, x1 - x0), hgt - bottom - 10));
      s.append(String.format("<text x=\"%.1f\" y=\"%d\" font-size=\"11\" fill=\"#922\">%s</text>", x0 + 2,
          10 + 13 * label, escape(i.kind() + " " + i.target())));
    }
    s.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", left, hgt - bottom, w - 10, hgt - bottom));
    s.append(String.format("<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>", left, left, hgt - bottom));
    s.append(String.format("<text x=\"4\" y=\"16\" font-size=\"11\">%,d</text>", max));
    s.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"11\">seconds</text>", w - 60, hgt - 8));
    s.append(polyline(spansInPerSecond, left, hgt - bottom, xs, ys, "#2e86c1"));
    s.append(polyline(spansOutPerSecond, left, hgt - bottom, xs, ys, "#d35400"));
    s.append(String.format("<text x=\"%d\" y=\"40\" font-size=\"12\" fill=\"#2e86c1\">spans in</text>", left + 10));
    s.append(String.format("<text x=\"%d\" y=\"56\" font-size=\"12\" fill=\"#d35400\">spans kept</text>", left + 10));
    return s.append("</svg>\n").toString();
  }

  private static String polyline(long[] values, int left, int base, double xs, double ys, String colour) {
    StringBuilder p = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      p.append(String.format("%.1f,%.1f ", left + i * xs, base - values[i] * ys));
    }
    return "<polyline fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\" points=\"" + p.toString().trim() + "\"/>";
  }

  private static String barChart(Map<String, Long> values) {
    int rowH = 22;
    int w = 900;
    long max = Math.max(1, values.values().stream().mapToLong(Long::longValue).max().orElse(1));
    StringBuilder s = new StringBuilder(String.format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">", w, rowH * values.size() + 10));
    int y = 5;
    for (Map.Entry<String, Long> e : values.entrySet()) {
      double bw = (w - 320) * (double) e.getValue() / max;
      s.append(String.format("<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>", y + 14, escape(e.getKey())));
      s.append(String.format("<rect x=\"220\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"#5dade2\"/>", y, Math.max(1, bw)));
      s.append(String.format("<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%,d</text>", 225 + bw, y + 13, e.getValue()));
      y += rowH;
    }
    return s.append("</svg>\n").toString();
  }

  private String latencyChart() {
    int w = 900;
    int rowH = 62;
    double max = 1;
    for (double[] p : inferencePercentiles.values()) {
      max = Math.max(max, p[2]);
    }
    String[] names = {"p50", "p95", "p99"};
    String[] colours = {"#82e0aa", "#f7dc6f", "#ec7063"};
    StringBuilder s = new StringBuilder(String.format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">", w, rowH * inferencePercentiles.size() + 10));
    int y = 5;
    for (Map.Entry<String, double[]> e : inferencePercentiles.entrySet()) {
      s.append(String.format("<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>", y + 24, escape(e.getKey())));
      for (int i = 0; i < 3; i++) {
        double bw = (w - 320) * e.getValue()[i] / max;
        s.append(String.format("<rect x=\"220\" y=\"%d\" width=\"%.1f\" height=\"16\" fill=\"%s\"/>", y + i * 18, Math.max(1, bw), colours[i]));
        s.append(String.format("<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%s %,.0f ms</text>", 225 + bw, y + i * 18 + 12,
            names[i], e.getValue()[i]));
      }
      y += rowH;
    }
    return s.append("</svg>\n").toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
