package io.tailstream.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The measured block's runs, round by round (`bench --rounds N`): on a small shared machine one
 * round's figures move by tens of percent (the in-memory sampler alone between 128k and 306k
 * spans/s in one day), so comparisons are made on medians, with the range beside them.
 */
record Rounds(List<List<RunFigures>> rounds) {
  /** A ratio's median over the rounds and its range. */
  record Ratio(double median, double min, double max) {}

  Rounds {
    if (rounds.isEmpty()) {
      throw new IllegalArgumentException("at least one round");
    }
    rounds = rounds.stream().map(List::copyOf).toList();
  }

  static Rounds of(List<List<RunFigures>> rounds) {
    return new Rounds(rounds);
  }

  static Rounds one(List<RunFigures> runs) {
    return new Rounds(List.of(runs));
  }

  int count() {
    return rounds.size();
  }

  /** Per app, in the first round's order, its run with the median spans/s (the lower one of two). */
  List<RunFigures> medians() {
    List<RunFigures> out = new ArrayList<>();
    for (RunFigures first : rounds.get(0)) {
      List<RunFigures> all = new ArrayList<>();
      for (List<RunFigures> round : rounds) {
        all.add(find(round, first.name()));
      }
      all.sort(Comparator.comparingDouble(RunFigures::spansPerSecond));
      out.add(all.get((all.size() - 1) / 2));
    }
    return out;
  }

  /** {@code run}'s spans/s over {@code over}'s, round by round: median and range. */
  Ratio ratio(String run, String over) {
    List<Double> values = perRound(run, over);
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    return new Ratio(median, sorted.get(0), sorted.get(n - 1));
  }

  /** The ratio in each round, in round order. */
  List<Double> perRound(String run, String over) {
    List<Double> out = new ArrayList<>();
    for (List<RunFigures> round : rounds) {
      out.add(find(round, run).spansPerSecond() / find(round, over).spansPerSecond());
    }
    return out;
  }

  private static RunFigures find(List<RunFigures> round, String name) {
    return round.stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no run named " + name + " in " + round.stream()
            .map(RunFigures::name).toList()));
  }
}
