package io.tailstream.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of STYLE.md, held by the build: the pure packages (rules, decide, adapt, otlp,
 * and importer, which translates other samplers' files into rules)
 * know nothing of Kafka or of the layers above them; the topology knows nothing of the process
 * or the commands; the runtime never reaches into the tools (demo, bench, loadgen, the in-JVM
 * broker), which is what lets the runtime jar leave them out; and no two packages depend on
 * each other.
 */
class LayeringTest {
  private static final String[] TOOLS = {
      "io.tailstream.demo..", "io.tailstream.bench..", "io.tailstream.loadgen..",
      "io.tailstream.embedded..", "io.tailstream.workload..", "io.tailstream.tools.."};
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.tailstream");
  }

  @Test
  void thePurePackagesImportNoKafkaAndNothingAboveThem() {
    noClasses().that().resideInAnyPackage("io.tailstream.rules..", "io.tailstream.decide..",
            "io.tailstream.adapt..", "io.tailstream.otlp..", "io.tailstream.importer..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..",
            "io.tailstream.topology..", "io.tailstream.app..", "io.tailstream.cli..")
        .check(main);
  }

  @Test
  void theTopologyImportsNothingOfTheProcessTheCommandsOrTheTools() {
    noClasses().that().resideInAPackage("io.tailstream.topology..")
        .should().dependOnClassesThat().resideInAnyPackage("io.tailstream.app..", "io.tailstream.cli..")
        .check(main);
  }

  @Test
  void theRuntimeNeverImportsTheTools() {
    noClasses().that().resideOutsideOfPackages(TOOLS)
        .should().dependOnClassesThat().resideInAnyPackage(TOOLS)
        .check(main);
  }

  /** What the runtime jar leaves out: the broker, Scala, and the OpenTelemetry SDK of loadgen. */
  @Test
  void theRuntimeNeedsNoBrokerNoScalaAndNoOpenTelemetrySdk() {
    noClasses().that().resideOutsideOfPackages(TOOLS)
        .should().dependOnClassesThat().resideInAnyPackage("kafka..", "org.apache.kafka.server..",
            "org.apache.kafka.raft..", "org.apache.kafka.metadata..", "org.apache.kafka.storage..",
            "org.apache.kafka.coordinator..", "scala..", "io.opentelemetry.sdk..",
            "io.opentelemetry.exporter..", "io.opentelemetry.api..", "io.opentelemetry.context..")
        .check(main);
  }

  @Test
  void noPackageCycles() {
    slices().matching("io.tailstream.(*)..").should().beFreeOfCycles().check(main);
  }
}
