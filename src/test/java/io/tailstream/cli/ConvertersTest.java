package io.tailstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.yaml.Units;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option in tailstream's units, found by walking the command tree, refuses a bad value with
 * a message naming the option and the value, before the command runs.
 */
class ConvertersTest {
  /** A value each kind refuses, and the forms its message must offer. */
  private static final Map<Class<?>, List<String>> BAD = Map.of(
      Converters.DurationConverter.class, List.of("20", Units.DURATION_FORMS),
      Converters.RateConverter.class, List.of("150%", Units.RATE_FORMS),
      Converters.EncodingConverter.class, List.of("protobuf", "expected otlp_proto or otlp_json"),
      io.tailstream.tools.IncidentConverter.class, List.of("meteor@1s", "expected KIND:TARGET@START"));

  private record Found(String command, OptionSpec option, Class<?> converter) {}

  private static List<Found> unitOptions() {
    List<Found> found = new ArrayList<>();
    Main.commandLine().getSubcommands().forEach((name, sub) -> {
      for (OptionSpec option : sub.getCommandSpec().options()) {
        for (CommandLine.ITypeConverter<?> c : option.converters()) {
          if (BAD.containsKey(c.getClass())) {
            found.add(new Found(name, option, c.getClass()));
          }
        }
      }
    });
    return found;
  }

  @Test
  void everyOptionInUnitsNamesTheOptionAndTheValueWhenTheValueIsBad() {
    List<Found> options = unitOptions();
    Map<String, String> seen = new TreeMap<>();
    for (Found f : options) {
      String bad = BAD.get(f.converter()).get(0);
      StringWriter err = new StringWriter();
      CommandLine cli = Main.commandLine();
      cli.setErr(new PrintWriter(err, true));
      cli.setOut(new PrintWriter(new StringWriter(), true));
      int exit = cli.execute(f.command(), f.option().longestName(), bad);
      String first = err.toString().lines().findFirst().orElse("");
      assertThat(exit).as(f.command() + " " + f.option().longestName()).isEqualTo(Main.EXIT_BAD_CONFIG);
      assertThat(first).as(f.command() + " " + f.option().longestName())
          .startsWith("Invalid value for option '" + f.option().longestName() + "'")
          .contains(": '" + bad + "': ").contains(BAD.get(f.converter()).get(1));
      seen.put(f.command() + " " + f.option().longestName(), first);
    }
    // The walk found them all: an option parsed later in call() would be missing here.
    assertThat(seen.keySet()).containsExactlyInAnyOrder("bench --commit-interval", "bench --live",
        "boost --sample", "boost --ttl", "demo --duration", "dump --since", "loadgen --duration",
        "loadgen --encoding", "loadgen --error-rate", "loadgen --incident", "replay --encoding",
        "replay --since");
  }

  @Test
  void noOptionLeftAsTextHoldsADurationOrARate() {
    Main.commandLine().getSubcommands().forEach((name, sub) -> {
      CommandSpec spec = sub.getCommandSpec();
      for (OptionSpec option : spec.options()) {
        if (option.type() == String.class && option.defaultValue() != null) {
          assertThat(parses(option.defaultValue()))
              .as(name + " " + option.longestName() + " defaults to '" + option.defaultValue()
                  + "', a value in units: give it a converter").isFalse();
        }
      }
    });
  }

  @Test
  void goodValuesAreConverted() {
    assertThat(new Converters.DurationConverter().convert("1.5s")).hasMillis(1500);
    assertThat(new Converters.RateConverter().convert("0.5%")).isEqualTo(0.005);
  }

  private static boolean parses(String text) {
    try {
      Units.duration(text);
      return true;
    } catch (IllegalArgumentException e) {
      // not a duration
    }
    try {
      Units.rate(text);
      return text.endsWith("%");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
