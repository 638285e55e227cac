package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.config.ConfigLoader;
import io.tailstream.decide.ActiveRules;
import io.tailstream.decide.Decider;
import io.tailstream.metrics.TailstreamMetrics;
import io.tailstream.rules.RulesParser;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/**
 * The topology's shape is part of its contract: task ids (sub-topology and partition) name the
 * state directories a restart finds its local buffer in, so they must not move between releases;
 * and each fragment should pass through no node that does nothing for it.
 */
class TopologyShapeTest {
  private static TopologyDescription describe(String extraConfig) {
    var config = ConfigLoader.parse("kafka: { bootstrap-servers: b:1, application-id: app }\n" + extraConfig,
        "c.yaml", Path.of("."), Map.of());
    var rules = new ActiveRules(Decider.compile(RulesParser.parse(
        "rules:\n  - name: e\n    keep: { error: true }\n", "r.yaml")));
    return TailstreamTopology.build(config, rules, new TailstreamMetrics()).describe();
  }

  private static Map<Integer, Set<String>> nodesBySubtopology(TopologyDescription d) {
    Map<Integer, Set<String>> out = new TreeMap<>();
    for (TopologyDescription.Subtopology s : d.subtopologies()) {
      out.put(s.id(), s.nodes().stream().map(TopologyDescription.Node::name).collect(Collectors.toSet()));
    }
    return out;
  }

  private static Set<String> successors(TopologyDescription d, String node) {
    return d.subtopologies().stream().flatMap(s -> s.nodes().stream())
        .filter(n -> n.name().equals(node)).findFirst().orElseThrow()
        .successors().stream().map(TopologyDescription.Node::name).collect(Collectors.toSet());
  }

  @Test
  void withNullKeysSplitWritesStraightToItsSinksAndTheTaskIdsStayWhereTheyWere() {
    TopologyDescription d = describe("");
    assertThat(nodesBySubtopology(d)).isEqualTo(Map.of(
        1, Set.of("otlp-input", "split", "by-trace-sink", "dead-letter-sink"),
        2, Set.of("by-trace-source", "buffer-and-decide", "sampled-traces-sink")));
    assertThat(successors(d, "split")).containsExactlyInAnyOrder("by-trace-sink", "dead-letter-sink");
    assertThat(d.globalStores()).singleElement().satisfies(g -> assertThat(g.id()).isZero());
  }

  @Test
  void withKeyedInputSplitHandsFragmentsStraightToBufferAndDecide() {
    TopologyDescription d = describe("input: { keyed-by-trace-id: true }\n");
    assertThat(nodesBySubtopology(d)).isEqualTo(Map.of(
        1, Set.of("otlp-input", "split", "buffer-and-decide", "dead-letter-sink", "sampled-traces-sink")));
    assertThat(successors(d, "split")).containsExactlyInAnyOrder("buffer-and-decide", "dead-letter-sink");
  }
}
