package io.tailstream.cli;

import io.tailstream.adapt.Boost;
import io.tailstream.yaml.Units;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tailstream boosts}: the active boosts and their time left. */
@Command(name = "boosts", mixinStandardHelpOptions = true,
    description = "List active boosts (operators' and automatic) with their time left.",
    footer = {"", "Example:", "  tailstream boosts --config tailstream.yaml"})
final class BoostsCommand implements Callable<Integer> {
  @Mixin
  ControlOptions control;

  @Override
  public Integer call() {
    long now = System.currentTimeMillis();
    List<Boost> active = control.read(now).active(now);
    if (active.isEmpty()) {
      System.out.println("no active boosts");
      return Main.EXIT_OK;
    }
    System.out.printf("%-32s %-40s %-14s %-10s %-5s %s%n", "ID", "SCOPE", "EFFECT", "LEFT", "AUTO", "REASON (BY)");
    for (Boost b : active) {
      System.out.printf("%-32s %-40s %-14s %-10s %-5s %s (%s)%n", b.id(), b.scopeKey(), b.effect(),
          Units.format(Duration.ofMillis((b.expiresAtMs() - now) / 1000 * 1000)), b.auto() ? "yes" : "no",
          b.reason() == null ? "" : b.reason(), b.by() == null ? "?" : b.by());
    }
    return Main.EXIT_OK;
  }
}
