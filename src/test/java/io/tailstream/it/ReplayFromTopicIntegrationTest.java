package io.tailstream.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.cli.Main;
import io.tailstream.embedded.EmbeddedKafkaBroker;
import io.tailstream.otlp.Encoding;
import io.tailstream.replay.DumpFile;
import io.tailstream.replay.ReplayTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dump} and {@code replay --from-topic} against a real broker agree with the file replay. */
class ReplayFromTopicIntegrationTest {
  @TempDir
  Path dir;

  @Test
  void dumpThenReplayFromTopicAndFileGiveTheSameAnswer() throws Exception {
    Path original = dir.resolve("generated.dump");
    ReplayTest.writeDump(original, Encoding.OTLP_PROTO);
    List<byte[]> values = new ArrayList<>();
    DumpFile.reader(original).forEach(values::add);
    Path rules = dir.resolve("rules.yaml");
    Files.writeString(rules, KafkaTestSupport.CORE_RULES);
    try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
      broker.createTopics(3, "recorded");
      KafkaTestSupport.produce(broker.bootstrapServers(), "recorded", values);

      Path dumped = dir.resolve("dumped.dump");
      assertThat(run("dump", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "recorded",
          "--output", dumped.toString())).contains("wrote 1,001 records");
      String fromTopic = run("replay", "--rules", rules.toString(), "--from-topic", "recorded",
          "--bootstrap-servers", broker.bootstrapServers());
      String fromFile = run("replay", "--rules", rules.toString(), "--from-file", dumped.toString());
      assertThat(fromTopic).contains("replayed 1,001 records (1 unreadable): 3,000 traces")
          .contains("errors").contains("baseline").contains("storage reduction:");
      assertThat(fromFile).isEqualTo(fromTopic);
      String limited = run("replay", "--rules", rules.toString(), "--from-topic", "recorded",
          "--bootstrap-servers", broker.bootstrapServers(), "--limit", "10");
      assertThat(limited).contains("replayed 10 records");
    }
  }

  private static String run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      int code = Main.commandLine().execute(args);
      assertThat(code).as(String.join(" ", args)).isZero();
    } finally {
      System.setOut(previous);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
