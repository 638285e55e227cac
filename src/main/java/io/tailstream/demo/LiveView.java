package io.tailstream.demo;

import io.tailstream.adapt.Boost;
import io.tailstream.app.TailstreamApp;
import io.tailstream.loadgen.Incident;
import io.tailstream.metrics.TailstreamMetrics;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The demo's live view: redrawn every second on a terminal; a plain line every 5 s otherwise
 * (logs, CI). Also notes boosts starting and ending as events for the report.
 */
final class LiveView {
  private static final String CLEAR = "\033[H\033[2J";

  private final PrintStream out;
  private final boolean terminal;
  private final TailstreamApp app;
  private final DemoRecorder recorder;
  private final List<Incident> incidents;
  private final Set<String> knownBoosts = new HashSet<>();

  LiveView(PrintStream out, boolean terminal, TailstreamApp app, DemoRecorder recorder,
      List<Incident> incidents) {
    this.out = out;
    this.terminal = terminal;
    this.app = app;
    this.recorder = recorder;
    this.incidents = incidents;
  }

  void loop(AtomicBoolean stopped) {
    while (!stopped.get()) {
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        return;
      }
      int s = recorder.second();
      List<Boost> boosts = app.rules().current().boosts().active(System.currentTimeMillis());
      trackBoosts(boosts);
      if (terminal) {
        out.print(CLEAR + screen(s, boosts));
      } else if (s % 5 == 0) {
        TailstreamMetrics m = app.metrics();
        out.printf("%4ds  in %,6d spans/s  out %,5d spans/s  buffered %,6d  kept %s  boosts %s%n", s,
            recorder.spansIn.get(Math.max(0, s - 1)), recorder.spansOut.get(Math.max(0, s - 1)),
            m.bufferedTraces(), m.keptByRule(), boosts.stream().map(Boost::id).toList());
      }
      out.flush();
    }
  }

  private void trackBoosts(List<Boost> boosts) {
    Set<String> now = new HashSet<>();
    for (Boost b : boosts) {
      now.add(b.id());
      if (knownBoosts.add(b.id())) {
        recorder.event("boost " + b.id() + " started: " + b.effect() + " for " + b.scopeKey()
            + (b.reason() == null ? "" : " (" + b.reason() + ")"));
      }
    }
    for (String id : Set.copyOf(knownBoosts)) {
      if (!now.contains(id)) {
        knownBoosts.remove(id);
        recorder.event("boost " + id + " ended");
      }
    }
  }

  private String screen(int s, List<Boost> boosts) {
    TailstreamMetrics m = app.metrics();
    StringBuilder b = new StringBuilder();
    b.append(String.format("tailstream demo — %ds%n%n", s));
    b.append(String.format("  spans/s in  %,8d      spans/s out  %,8d%n",
        recorder.spansIn.get(Math.max(0, s - 1)), recorder.spansOut.get(Math.max(0, s - 1))));
    b.append(String.format("  buffered    %,8d traces   decision delay p99 %,.0f ms%n%n",
        m.bufferedTraces(), m.decisionDelayPercentile(99)));
    b.append("  kept per rule\n");
    m.keptByRule().forEach((rule, n) -> b.append(String.format("    %-26s %,8d%n", rule, n)));
    b.append(String.format("    %-26s %,8d%n%n", "(dropped)", m.tracesDropped()));
    b.append("  model p99 (last second)\n");
    recorder.liveP99().forEach((model, p99) -> b.append(String.format("    %-26s %,8.0f ms%n", model, p99)));
    b.append("\n  incidents\n");
    for (Incident i : incidents) {
      boolean on = i.activeAt(Duration.ofSeconds(s));
      b.append(String.format("    %-44s %s%n", i, on ? "ACTIVE" : ""));
    }
    b.append("\n  active boosts\n");
    long now = System.currentTimeMillis();
    for (Boost boost : boosts) {
      b.append(String.format("    %-26s %-36s %-14s %4ds left%s%n", boost.id(), boost.scopeKey(),
          boost.effect(), (boost.expiresAtMs() - now) / 1000, boost.auto() ? "  (auto)" : ""));
    }
    b.append("\n  recent events\n");
    List<String> events = recorder.events();
    events.subList(Math.max(0, events.size() - 6), events.size()).forEach(e -> b.append("  ").append(e).append('\n'));
    return b.toString();
  }
}
