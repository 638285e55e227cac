package io.tailstream.importer;

import io.tailstream.rules.Rule;

/**
 * What a keep rule adds to its condition: a sample rate, a per-instance rate or byte limit, or a
 * dynamic sampler. {@link #ALL} selects every trace.
 */
record Selection(double rate, Rule.RateLimit rateLimit, double bytesPerSecond, Rule.Dynamic dynamic) {
  static final Selection ALL = new Selection(1, null, 0, null);

  static Selection rate(double rate) {
    return new Selection(rate, null, 0, null);
  }

  boolean all() {
    return rate >= 1 && rateLimit == null && bytesPerSecond == 0 && dynamic == null;
  }

  boolean limited() {
    return rateLimit != null || bytesPerSecond > 0;
  }
}
