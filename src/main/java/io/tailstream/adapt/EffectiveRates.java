package io.tailstream.adapt;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Head-sampling probabilities that reflect tailstream's current policy: the baseline rate (the
 * rules' catch-all sample rate) raised by the active boosts, overall and per boosted service.
 * What head samplers read from the rates topic and the Jaeger remote-sampling endpoint.
 */
public final class EffectiveRates {
  private EffectiveRates() {}

  /** Effective rates: {@code defaultRate} for services without their own entry. */
  public record Snapshot(double defaultRate, Map<String, Double> services) {
    public double forService(String service) {
      return services.getOrDefault(service, defaultRate);
    }
  }

  /**
   * @param baselineRate the rate of the rules' catch-all sampling rule (0 when there is none)
   * @param baselineRule that rule's name (boosts scoped to another rule do not change it)
   */
  public static Snapshot of(double baselineRate, String baselineRule, List<Boost> active) {
    double overall = baselineRate;
    Map<String, Double> services = new TreeMap<>();
    for (Boost b : active) {
      if (b.model() != null || (b.rule() != null && !b.rule().equals(baselineRule))) {
        continue; // model- and other-rule scopes have no head-sampling equivalent
      }
      double rate = b.boostedRate(baselineRate);
      if (b.service() == null) {
        overall = Math.max(overall, rate);
      } else {
        services.merge(b.service(), rate, Math::max);
      }
    }
    double finalOverall = overall;
    services.replaceAll((s, r) -> Math.max(r, finalOverall));
    return new Snapshot(overall, services);
  }
}
