package io.tailstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tailstream.loadgen.Incident;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** The README's first command: a 20 s demo keeps every incident trace whole and reports it. */
class DemoTest {
  @TempDir
  Path dir;

  @Test
  void twentySecondDemo() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Demo demo = new Demo(new Demo.Options(Duration.ofSeconds(20), 200, dir,
        new PrintStream(bytes, true, StandardCharsets.UTF_8), false));
    DemoReport report = demo.run();
    String text = bytes.toString(StandardCharsets.UTF_8);

    assertThat(report.recall()).as(text).containsOnlyKeys(Incident.Kind.values());
    assertThat(report.recall().values()).allSatisfy(c -> assertThat(c[1]).isPositive());
    assertThat(report.incidentRecall()).as(text).isEqualTo(1.0);
    assertThat(report.keptByRule()).as(text).containsKeys("errors", "slow-requests", "slow-feature-retrieval");
    assertThat(report.keptByRule().get("errors")).isPositive();
    assertThat(report.keptByRule().get("slow-requests")).isPositive();
    assertThat(report.keptByRule().get("slow-feature-retrieval")).isPositive();
    assertThat(report.storageReduction()).as(text).isGreaterThan(10);
    assertThat(text).contains("incident recall:   100.0%").contains("operator boost demo-operator");
    // Where the time went, for all traffic and for the kept traces: every stage of the pipeline.
    assertThat(text).contains("where did the time go");
    assertThat(report.stagesAll().keySet()).as(text).containsExactlyInAnyOrder("request", "ensemble",
        "inference", "feature-retrieval", "preprocessing", "post-processing");
    assertThat(report.stagesKept().keySet()).as(text).contains("request", "inference", "feature-retrieval");
    assertThat(report.stagesAll().get("inference").p50Share()).isBetween(0.05, 1.0);
    assertThat(report.stagesAll().get("request").spans()).isLessThanOrEqualTo(report.tracesIn());

    Path html = dir.resolve("tailstream-demo-report.html");
    String page = Files.readString(html);
    assertThat(page).contains("<svg").contains("incident recall").contains("Where did the time go")
        .doesNotContain("<script");
    // Well-formed XHTML: every chart parses.
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(html.toFile());
    assertThat(doc.getElementsByTagName("svg").getLength()).isEqualTo(3);
    assertThat(Files.size(dir.resolve("tailstream-demo-kept.dump"))).isPositive();
  }
}
