package io.tailstream.adapt;

import io.opentelemetry.proto.trace.v1.Span;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The adaptive state of one instance that outlives a rules reload: learned model latencies,
 * boosts, dynamic samplers (keyed by their rule and settings), how many instances share the work,
 * who is told of rate changes, and the stage mapping and meters every span is shown to.
 */
public final class AdaptiveState {
  /** Told when a dynamic sampler changes a key's rate. */
  public interface RateListener {
    void rateChanged(String rule, String key, double oldRate, double newRate);
  }

  private final ModelLearners learners;
  private final BoostTable boosts;
  private final IntSupplier liveInstances;
  private volatile RateListener rateListener = (rule, key, o, n) -> { };
  private final Map<String, DynamicSampler> samplers = new ConcurrentHashMap<>();
  private final StageStats stageStats = new StageStats();
  private volatile SpikeDetector detector;
  private volatile Stages stages;

  /** A mapping and the observer of the stages it gives; one volatile read per span. */
  private record Stages(StageMap map, StageObserver observer) {}

  public AdaptiveState(ModelLearners learners, BoostTable boosts, IntSupplier liveInstances) {
    this.learners = learners;
    this.boosts = boosts;
    this.liveInstances = liveInstances;
  }

  /** For tools and tests: one instance, no limit on boosts. */
  public static AdaptiveState standalone() {
    return new AdaptiveState(new ModelLearners(), new BoostTable(Integer.MAX_VALUE), () -> 1);
  }

  public ModelLearners learners() {
    return learners;
  }

  public BoostTable boosts() {
    return boosts;
  }

  public StageStats stageStats() {
    return stageStats;
  }

  /** Feeds every span seen at split time to the spike detector too. */
  public void detectSpikesWith(SpikeDetector spikeDetector) {
    this.detector = spikeDetector;
  }

  /**
   * Classifies every span seen at split time with {@code map} and tells {@code observer} (the
   * per-stage meters). Until called, spans are not classified at all.
   */
  public void observeStagesWith(StageMap map, StageObserver observer) {
    this.stages = new Stages(map, observer);
  }

  /** One span seen at split time: statistics, spike detection and the stage meters. */
  public void observeSpan(Span span, String service, boolean root, String model, long durationNanos,
      boolean error) {
    stageStats.observe(service, model, durationNanos, error);
    SpikeDetector d = detector;
    if (d != null) {
      d.observe(service, model, durationNanos, error);
    }
    Stages s = stages;
    if (s != null) {
      s.observer().span(service, s.map().classify(span, service, root), model, durationNanos, error);
    }
  }

  public void onRateChange(RateListener listener) {
    this.rateListener = listener;
  }

  /** The sampler of a rule, kept across reloads while its definition does not change. */
  public DynamicSampler sampler(String rule, DynamicSampler.Goal goal, double target, long intervalMs) {
    String id = rule + "|" + goal + "|" + target + "|" + intervalMs;
    return samplers.computeIfAbsent(id, k -> new DynamicSampler(goal, target, intervalMs, liveInstances,
        (key, o, n) -> rateListener.rateChanged(rule, key, o, n)));
  }
}
