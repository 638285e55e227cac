package io.tailstream.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The shapes of YAML that would make reading or walking a document unbounded, through YamlNode. */
class BoundedEventsTest {

  @Test
  void recursiveAliasInAMappingIsRefusedAtTheAlias() {
    assertThatThrownBy(() -> YamlNode.parse("a: 1\nkeep: &k { not: *k }\n", "r.yaml"))
        .isInstanceOf(YamlException.class)
        .hasMessage("r.yaml:2:17: not accepted: recursive alias *k: it names the list or mapping "
            + "that contains it, which would never end");
  }

  @Test
  void recursiveAliasDeepInsideAListIsRefused() {
    assertThatThrownBy(() -> YamlNode.parse("top: &t\n  - x\n  - [ y, { z: *t } ]\n", "c.yaml"))
        .hasMessageStartingWith("c.yaml:3:15: not accepted: recursive alias *t");
  }

  @Test
  void aliasToAFinishedNodeIsNotRecursion() {
    YamlNode root = YamlNode.parse("""
        services: &svc [checkout, payments]
        again: *svc
        outer: &o [ &o inner, *o ]
        """, "r.yaml");
    assertThat(root.get("again").orElseThrow().items()).extracting(YamlNode::scalar)
        .containsExactly("checkout", "payments");
    // The inner &o redefines the anchor as a scalar, so *o names that scalar, not its own list.
    assertThat(root.get("outer").orElseThrow().items()).extracting(YamlNode::scalar)
        .containsExactly("inner", "inner");
  }

  @Test
  void nestingDeeperThanTheLimitIsRefusedWithItsPosition() {
    int depth = BoundedEvents.MAX_DEPTH;
    // The root mapping is one level: this list nesting reaches the limit exactly.
    String atLimit = "a: " + "[".repeat(depth - 1) + "]".repeat(depth - 1) + "\n";
    assertThat(YamlNode.parse(atLimit, "d.yaml").isMap()).isTrue();
    String beyond = "a: " + "[".repeat(depth) + "]".repeat(depth) + "\n";
    assertThatThrownBy(() -> YamlNode.parse(beyond, "d.yaml"))
        .hasMessage("d.yaml:1:" + (3 + depth) + ": not accepted: nested more than " + depth
            + " levels deep; config and rules files need far fewer");
  }

  @Test
  void aMillionBracketsAreRefusedInsteadOfOverflowingTheStack() {
    String text = "[".repeat(900_000) + "]".repeat(900_000);
    assertThatThrownBy(() -> YamlNode.parse(text, "deep.yaml"))
        .isInstanceOf(YamlException.class).hasMessageContaining("nested more than");
  }

  @Test
  void billionLaughsIsRefusedAtTheAliasThatCrossesTheLimit() {
    // Nine levels of ten aliases each would be 10^9 values; the alias limit alone allows two
    // levels, so the base list is made large enough for two levels to cross the node limit.
    StringBuilder text = new StringBuilder("l0: &l0 [" + "lol,".repeat(20_000) + "lol]\n");
    text.append("l1: &l1 [").append("*l0,".repeat(9)).append("*l0]\n");
    text.append("l2: &l2 [").append("*l1,".repeat(9)).append("*l1]\n");
    assertThatThrownBy(() -> YamlNode.parse(text.toString(), "lol.yaml"))
        .hasMessageStartingWith("lol.yaml:3:")
        .hasMessageContaining("more than " + BoundedEvents.MAX_EXPANDED_NODES
            + " values once aliases are expanded");
  }

  @Test
  void moreCollectionAliasesThanTheLimitAreRefusedWithAPosition() {
    StringBuilder text = new StringBuilder("base: &b [x]\nuses:\n");
    for (int i = 0; i <= BoundedEvents.MAX_COLLECTION_ALIASES; i++) {
      text.append("  - *b\n");
    }
    assertThatThrownBy(() -> YamlNode.parse(text.toString(), "a.yaml"))
        .hasMessage("a.yaml:" + (3 + BoundedEvents.MAX_COLLECTION_ALIASES) + ":5: not accepted: "
            + "alias *b is alias number 21 to a list or mapping; at most 20 are allowed");
  }

  @Test
  void scalarAliasesAreNotCountedAgainstTheCollectionLimit() {
    StringBuilder text = new StringBuilder("base: &b x\nuses:\n");
    for (int i = 0; i < 100; i++) {
      text.append("  - *b\n");
    }
    assertThat(YamlNode.parse(text.toString(), "a.yaml").get("uses").orElseThrow().items())
        .hasSize(100);
  }
}
