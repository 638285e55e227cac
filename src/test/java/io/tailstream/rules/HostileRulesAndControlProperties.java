package io.tailstream.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.adapt.BoostMessages;
import io.tailstream.decide.Decider;
import io.tailstream.yaml.YamlException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Mangled rules files and control messages only ever produce validation errors: no other
 * exception escapes, and what does parse also compiles.
 */
class HostileRulesAndControlProperties {
  private static final String RULES = read("examples/rules-ml-inference.yaml");
  private static final String CONTROL = "{\"action\":\"boost\",\"id\":\"inc-1\",\"scope\":{\"service\":\"ranker\","
      + "\"model\":\"ranker-v3\",\"rule\":\"baseline\"},\"sample\":\"50%\",\"ttl\":\"30m\",\"reason\":\"x\",\"by\":\"y\"}";
  private static final BoostMessages.Limits LIMITS = new BoostMessages.Limits(100, Duration.ofHours(24), 50);

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes, duplicates, replaces or inserts a few characters, seeded. */
  static String mangle(String text, long seed) {
    Random r = new Random(seed);
    StringBuilder b = new StringBuilder(text);
    String alphabet = "{}[]:,-\"' \n\t#&*!|>%@0123456789abcdefghijklmnopqrstuvwxyz.\\";
    for (int i = 0, n = 1 + r.nextInt(6); i < n && b.length() > 0; i++) {
      int at = r.nextInt(b.length());
      switch (r.nextInt(4)) {
        case 0 -> b.deleteCharAt(at);
        case 1 -> b.insert(at, b.substring(at, Math.min(b.length(), at + r.nextInt(40))));
        case 2 -> b.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
        default -> b.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
      }
    }
    return b.toString();
  }

  @Property(tries = 2000)
  void mangledRulesFilesOnlyFailValidation(@ForAll long seed) {
    String text = mangle(RULES, seed);
    try {
      RuleSet parsed = RulesParser.parse(text, "mangled.yaml");
      assertThat(Decider.compile(parsed).ruleNames()).hasSameSizeAs(parsed.rules());
    } catch (YamlException expected) {
      assertThat(expected.getMessage()).startsWith("mangled.yaml");
    }
  }

  @Property(tries = 2000)
  void mangledControlMessagesOnlyFailValidation(@ForAll long seed) {
    String text = mangle(CONTROL, seed);
    try {
      BoostMessages.parse("inc-1", text.getBytes(StandardCharsets.UTF_8), 0, LIMITS);
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }
}
