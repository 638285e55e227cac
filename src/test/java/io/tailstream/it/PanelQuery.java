package io.tailstream.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates the few PromQL shapes the dashboard's stage panels use on one scrape, so that a test
 * checks what a panel would show and not only that its metrics exist:
 * {@code histogram_quantile(q, sum by (le, …) (rate(m_bucket{…}[…])))},
 * {@code sum by (…) (rate(m{…}[…]))}, {@code sum(rate(m{…}[…]))}, and {@code a / b} or
 * {@code a / scalar(b)} of those. Anything else is refused, so a panel edited into another shape
 * fails here rather than passing unchecked.
 *
 * <p>Over one scrape, {@code rate(x[…])} is read as the counter itself: the rate over the whole
 * life of the process times its uptime. The shapes above are ratios of rates and quantiles of
 * bucket rates, in which the uptime cancels, so they evaluate to what the panel shows over a
 * range covering the whole run. {@code $instance} matches every instance.
 */
final class PanelQuery {
  private static final String RATE = "rate\\(([a-z_]+)\\{([^}]*)\\}\\[\\$__rate_interval\\]\\)";
  private static final Pattern QUANTILE = Pattern.compile(
      "histogram_quantile\\(([0-9.]+), sum by \\(([a-z_, ]+)\\) \\(" + RATE + "\\)\\)");
  private static final Pattern SUM_BY = Pattern.compile("sum by \\(([a-z_, ]+)\\) \\(" + RATE + "\\)");
  private static final Pattern SUM = Pattern.compile("sum\\(" + RATE + "\\)");
  private static final Pattern MATCHER = Pattern.compile("([a-z_]+)(=~|!=|=)\"([^\"]*)\"");

  private PanelQuery() {}

  /** The value of {@code expr} per group, keyed by the group's labels as "a=x,b=y" ("" for none). */
  static Map<String, Double> evaluate(String expr, PrometheusText scrape) {
    String e = expr.replace("$instance", ".*").trim();
    int divide = topLevelDivide(e);
    if (divide < 0) {
      return term(e, scrape);
    }
    Map<String, Double> left = term(e.substring(0, divide).trim(), scrape);
    String rightText = e.substring(divide + 1).trim();
    if (rightText.startsWith("scalar(") && rightText.endsWith(")")) {
      Map<String, Double> right = term(rightText.substring(7, rightText.length() - 1), scrape);
      if (right.size() != 1) {
        throw new AssertionError("scalar() of " + right.size() + " series: " + rightText);
      }
      double d = right.values().iterator().next();
      Map<String, Double> out = new TreeMap<>();
      left.forEach((k, v) -> out.put(k, v / d));
      return out;
    }
    Map<String, Double> right = term(rightText, scrape);
    Map<String, Double> out = new TreeMap<>();
    left.forEach((k, v) -> {
      if (right.containsKey(k)) {
        out.put(k, v / right.get(k));
      }
    });
    return out;
  }

  private static int topLevelDivide(String e) {
    int depth = 0;
    for (int i = 0; i < e.length(); i++) {
      char c = e.charAt(i);
      if (c == '(' || c == '{' || c == '[') {
        depth++;
      } else if (c == ')' || c == '}' || c == ']') {
        depth--;
      } else if (c == '/' && depth == 0) {
        return i;
      }
    }
    return -1;
  }

  private static Map<String, Double> term(String t, PrometheusText scrape) {
    Matcher m = QUANTILE.matcher(t);
    if (m.matches()) {
      List<String> by = labels(m.group(2));
      if (!by.remove("le")) {
        throw new AssertionError("histogram_quantile without le in its sum by: " + t);
      }
      Map<String, Map<Double, Double>> buckets = new TreeMap<>();
      for (PrometheusText.Sample s : select(scrape, m.group(3), m.group(4))) {
        buckets.computeIfAbsent(group(s, by), g -> new TreeMap<>())
            .merge(bound(s.labels().get("le")), s.value(), Double::sum);
      }
      double q = Double.parseDouble(m.group(1));
      Map<String, Double> out = new TreeMap<>();
      buckets.forEach((g, b) -> out.put(g, quantile(q, b)));
      return out;
    }
    m = SUM_BY.matcher(t);
    if (m.matches()) {
      return sum(select(scrape, m.group(2), m.group(3)), labels(m.group(1)));
    }
    m = SUM.matcher(t);
    if (m.matches()) {
      return sum(select(scrape, m.group(1), m.group(2)), List.of());
    }
    throw new AssertionError("not a shape PanelQuery evaluates: " + t);
  }

  private static double bound(String le) {
    return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
  }

  /** Prometheus' histogram_quantile: linear within the bucket, 0 as the lowest bound. */
  static double quantile(double q, Map<Double, Double> cumulative) {
    double total = cumulative.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
    if (total == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double lower = 0;
    double below = 0;
    for (Map.Entry<Double, Double> b : cumulative.entrySet()) {
      if (b.getValue() >= rank) {
        if (b.getKey().isInfinite()) {
          return lower; // the highest finite bound, as Prometheus answers
        }
        return lower + (b.getKey() - lower) * (rank - below) / (b.getValue() - below);
      }
      lower = b.getKey();
      below = b.getValue();
    }
    return lower;
  }

  private static List<PrometheusText.Sample> select(PrometheusText scrape, String metric, String matchers) {
    List<PrometheusText.Sample> out = new ArrayList<>();
    Matcher m = MATCHER.matcher(matchers);
    List<String[]> conditions = new ArrayList<>();
    while (m.find()) {
      conditions.add(new String[] {m.group(1), m.group(2), m.group(3)});
    }
    for (PrometheusText.Sample s : scrape.parsed()) {
      if (s.name().equals(metric) && conditions.stream().allMatch(c -> holds(s, c))) {
        out.add(s);
      }
    }
    return out;
  }

  private static boolean holds(PrometheusText.Sample s, String[] c) {
    String v = s.labels().getOrDefault(c[0], "");
    return switch (c[1]) {
      case "=" -> v.equals(c[2]);
      case "!=" -> !v.equals(c[2]);
      case "=~" -> v.matches(c[2]);
      default -> throw new AssertionError(c[1]);
    };
  }

  private static Map<String, Double> sum(List<PrometheusText.Sample> samples, List<String> by) {
    Map<String, Double> out = new TreeMap<>();
    samples.forEach(s -> out.merge(group(s, by), s.value(), Double::sum));
    return out;
  }

  private static String group(PrometheusText.Sample s, List<String> by) {
    StringBuilder b = new StringBuilder();
    for (String label : by) {
      b.append(b.length() == 0 ? "" : ",").append(label).append('=').append(s.labels().getOrDefault(label, ""));
    }
    return b.toString();
  }

  private static List<String> labels(String list) {
    List<String> out = new ArrayList<>();
    for (String l : list.split(",")) {
      out.add(l.trim());
    }
    return out;
  }
}
