package io.tailstream.importer;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.proto.trace.v1.TracesData;
import io.tailstream.decide.Decider;
import io.tailstream.decide.TraceFacts;
import io.tailstream.importer.Workload.TTrace;
import io.tailstream.rules.RulesParser;
import io.tailstream.yaml.YamlNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The translated rules keep the traces the tail_sampling processor's documented semantics keep,
 * on a seeded workload of 20,000 traces, for Collector configs that together use every policy
 * type.
 *
 * <p>The reference is {@link TailSamplingReference}, written from the processor's README and
 * policy descriptions and sharing no code with the importer. For each trace it is evaluated with
 * every probabilistic policy choosing and with none choosing: where the two agree the decision does
 * not depend on chance and tailstream must decide the same, trace by trace. Where they differ the
 * processor's hash and tailstream's OTel randomness pick different traces, so the count is
 * compared instead: the expected number kept is the sum of each trace's keep probability (the
 * share of 200 values of u in [0, 1) for which the reference keeps it), within 5 standard deviations. Rate, byte
 * and composite limits are set far above the workload, so they are inert here; the translated
 * rates themselves are checked in {@link CollectorImportTest}.
 */
class CollectorEquivalenceTest {
  private static final List<TTrace> TRACES = Workload.traces(17, 20_000);

  @Test
  void mixedPoliciesKeepExactlyTheSameTraces() {
    assertEquivalent("collector-mixed.yaml", "tail_sampling", false);
  }

  @Test
  void onlyInvertedPoliciesKeepWhatNoneMatches() {
    assertEquivalent("collector-inverted.yaml", "tail_sampling", false);
  }

  @Test
  void theReadmesPracticalExampleKeepsTheSameTraces() {
    assertEquivalent("collector-practical.yaml", "tail_sampling/team_a", false);
  }

  @Test
  void probabilisticPoliciesKeepTheSameShareAndTheSameDeterministicTraces() {
    assertEquivalent("collector-sampled.yaml", "tail_sampling", true);
  }

  /** The README's own example, with its limits raised so that they have room. */
  @Test
  void theReadmesExampleKeepsTheSameTracesWithRoomyLimits() {
    String text = fixture("collector-readme.yaml").replace("spans_per_second: 35", "spans_per_second: 1000000000")
        .replace("max_total_spans_per_second: 1000", "max_total_spans_per_second: 1000000000")
        .replace("bytes_per_second: 1048576", "bytes_per_second: 1000000000000");
    assertEquivalent("collector-readme.yaml", text, "tail_sampling", false);
  }

  /** trace_flags: the W3C sampled bit on any span, beside a status code and a drop. */
  @Test
  void traceFlagsKeepTheSameTraces() {
    assertEquivalent("collector-flags.yaml", "tail_sampling", false);
  }

  /** ottl_condition: span and spanevent conditions, evaluated by the reference on its own. */
  @Test
  void ottlConditionsKeepTheSameTraces() {
    assertEquivalent("collector-ottl.yaml", "tail_sampling", false);
  }

  private static void assertEquivalent(String name, String processor, boolean sampled) {
    assertEquivalent(name, fixture(name), processor, sampled);
  }

  private static void assertEquivalent(String name, String text, String processor, boolean sampled) {
    Imported imported = CollectorImport.translate(YamlNode.parse(text, name), processor, false);
    Decider decider = Decider.compile(RulesParser.parse(RulesWriter.write(imported), name));
    TailSamplingReference reference = new TailSamplingReference(text, processor);
    List<String> disagreements = new ArrayList<>();
    int deterministic = 0;
    int kept = 0;
    int chanceKept = 0;
    double expected = 0;
    double variance = 0;
    for (int i = 0; i < TRACES.size(); i++) {
      TTrace t = TRACES.get(i);
      boolean ours = keeps(decider, t);
      kept += ours ? 1 : 0;
      boolean always = reference.keeps(t, 0);
      boolean never = reference.keeps(t, 1);
      if (always == never) {
        deterministic++;
        if (ours != always) {
          disagreements.add("trace " + i + ": reference " + (always ? "keeps" : "drops") + ", rules "
              + (ours ? "keep" : "drop") + ": " + t);
        }
        continue;
      }
      double p = keepProbability(reference, t);
      expected += p;
      variance += p * (1 - p);
      chanceKept += ours ? 1 : 0;
    }
    System.out.printf("%s: %d traces, %d decided without chance (%d disagree), %d by chance: kept %d, "
        + "expected %.1f ± %.1f; %d kept in all%n", name, TRACES.size(), deterministic,
        disagreements.size(), TRACES.size() - deterministic, chanceKept, expected, Math.sqrt(variance), kept);
    assertThat(disagreements).as("traces decided differently").isEmpty();
    assertThat(kept).as("the fixture keeps some traces and drops some").isBetween(1, TRACES.size() - 1);
    if (sampled) {
      assertThat(TRACES.size() - deterministic).as("traces decided by chance").isPositive();
      assertThat(Math.abs(chanceKept - expected)).isLessThanOrEqualTo(5 * Math.sqrt(variance) + 1);
    } else {
      assertThat(deterministic).isEqualTo(TRACES.size());
    }
  }

  private static double keepProbability(TailSamplingReference reference, TTrace t) {
    int steps = 200;
    int keeps = 0;
    for (int k = 0; k < steps; k++) {
      keeps += reference.keeps(t, (k + 0.5) / steps) ? 1 : 0;
    }
    return (double) keeps / steps;
  }

  private static boolean keeps(Decider decider, TTrace t) {
    TracesData data = t.proto();
    TraceFacts facts = decider.extractor().extract(data, data.getSerializedSize(), 0);
    return decider.decide(facts, t.traceId(), 0).kept();
  }

  static String fixture(String name) {
    try (InputStream in = CollectorEquivalenceTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("fixture " + name + " is missing", e);
    }
  }
}
