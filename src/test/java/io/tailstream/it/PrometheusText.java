package io.tailstream.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A Prometheus text exposition, read just enough to sum samples and list their names. */
record PrometheusText(List<String> samples) {
  /** One sample: its name, its labels and its value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  static PrometheusText parse(String text) {
    List<String> samples = new ArrayList<>();
    text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(samples::add);
    return new PrometheusText(samples);
  }

  /** The names of every sample (histograms show as their _bucket, _count and _sum series). */
  Set<String> names() {
    Set<String> names = new TreeSet<>();
    samples.forEach(s -> names.add(name(s)));
    return names;
  }

  /** The sum of every sample of {@code name} whose labels contain each of {@code labels}. */
  double sum(String name, String... labels) {
    double sum = 0;
    for (String s : samples) {
      if (name(s).equals(name) && containsAll(s, labels)) {
        sum += Double.parseDouble(s.substring(s.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  /** Every sample with its labels read (label values without escaped quotes, as ours are). */
  List<Sample> parsed() {
    List<Sample> out = new ArrayList<>();
    for (String s : samples) {
      Map<String, String> labels = new LinkedHashMap<>();
      int open = s.indexOf('{');
      int close = s.lastIndexOf('}');
      if (open >= 0) {
        String body = s.substring(open + 1, close);
        int i = 0;
        while (i < body.length()) {
          int eq = body.indexOf('=', i);
          int end = body.indexOf('"', eq + 2);
          labels.put(body.substring(i, eq), body.substring(eq + 2, end));
          i = end + 2; // past the quote and the comma
        }
      }
      String value = s.substring(s.lastIndexOf(' ') + 1);
      out.add(new Sample(name(s), labels, value.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(value)));
    }
    return out;
  }

  private static boolean containsAll(String sample, String[] labels) {
    for (String l : labels) {
      if (!sample.contains(l)) {
        return false;
      }
    }
    return true;
  }

  private static String name(String sample) {
    int end = sample.indexOf('{');
    return sample.substring(0, end >= 0 ? end : sample.indexOf(' '));
  }
}
