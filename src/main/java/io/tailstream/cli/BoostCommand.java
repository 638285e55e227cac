package io.tailstream.cli;

import io.tailstream.adapt.Boost;
import io.tailstream.adapt.BoostMessages;
import io.tailstream.yaml.YamlException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tailstream boost}: raise sampling for a scope on every instance, for a while. */
@Command(name = "boost", mixinStandardHelpOptions = true,
    description = "Raise sampling for a service, model or rule on every instance (via the control topic).",
    footer = {"", "Example (an incident on the ranker):",
        "  tailstream boost --config tailstream.yaml --service ranker --model ranker-v3 --sample 50% --ttl 30m --reason INC-4211"})
final class BoostCommand implements Callable<Integer> {
  @Mixin
  ControlOptions control;

  @Option(names = "--id", description = "Boost id (default: a new one). Reusing an id replaces that boost.")
  String id;

  @Option(names = "--service", description = "Only traces with a span of this service.")
  String service;

  @Option(names = "--model", description = "Only traces with a span of this model.")
  String model;

  @Option(names = "--rule", description = "Only this rule's sampling (no-rule-matched: traces no rule keeps).")
  String rule;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Effect effect;

  static final class Effect {
    @Option(names = "--sample", converter = Converters.RateConverter.class,
        description = "Sample in scope at least at this rate, e.g. 50%.")
    Double sample;

    @Option(names = "--factor", description = "Multiply the probabilistic rates in scope.")
    Double factor;

    @Option(names = "--keep-all", description = "Keep every trace in scope.")
    boolean keepAll;
  }

  @Option(names = "--ttl", required = true, converter = Converters.DurationConverter.class,
      description = "How long, e.g. 30m (at most boosts.max-ttl).")
  Duration ttl;

  @Option(names = "--reason", required = true, description = "Why, e.g. an incident number.")
  String reason;

  @Option(names = "--by", description = "Who (default: your user name).")
  String by = System.getProperty("user.name");

  @Override
  public Integer call() throws Exception {
    long now = System.currentTimeMillis();
    String boostId = id != null ? id : "boost-"
        + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.ofEpochMilli(now))
        + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    Boost boost;
    try {
      boost = new Boost(boostId, service, model, rule,
          effect.sample == null ? Boost.NONE : effect.sample,
          effect.factor == null ? 1 : effect.factor, effect.keepAll, now + ttl.toMillis(), reason, by, false);
      // Check as the instances will, so a refused boost fails here, not silently there.
      BoostMessages.parse(boostId, BoostMessages.toJson(boost), now, control.limits());
    } catch (IllegalArgumentException | YamlException e) {
      System.err.println("tailstream: " + e.getMessage());
      return Main.EXIT_BAD_CONFIG;
    }
    control.send(boostId, BoostMessages.toJson(boost));
    System.out.printf("boost %s: %s for %s until %s%n", boostId, boost.effect(), boost.scopeKey(),
        Instant.ofEpochMilli(boost.expiresAtMs()));
    return Main.EXIT_OK;
  }
}
