package io.tailstream.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker (KRaft: broker and controller in one) running in this JVM, on free
 * local ports and a temporary log directory. It is Kafka's own production server, so `demo` and
 * the integration tests exercise real transactions, repartition topics and changelogs without
 * Docker. Not for production use: one node, replication factor 1.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

  private KafkaRaftServer server;
  private final Properties props;
  private final Path logDir;
  private final String bootstrapServers;
  private final String saslBootstrapServers;

  private EmbeddedKafkaBroker(KafkaRaftServer server, Properties props, Path logDir,
      String bootstrapServers, String saslBootstrapServers) {
    this.server = server;
    this.props = props;
    this.logDir = logDir;
    this.bootstrapServers = bootstrapServers;
    this.saslBootstrapServers = saslBootstrapServers;
  }

  /** Formats a fresh log directory and starts the broker; returns once it accepts clients. */
  public static EmbeddedKafkaBroker start() {
    return start(Map.of());
  }

  /**
   * Like {@link #start()}, with a second listener that requires SASL/PLAIN authentication by the
   * given users and passwords (for tests of tailstream's security settings).
   */
  public static EmbeddedKafkaBroker start(Map<String, String> saslUsers) {
    try {
      Path dir = Files.createTempDirectory("tailstream-kraft-");
      int brokerPort = freePort();
      int controllerPort = freePort();
      int saslPort = saslUsers.isEmpty() ? -1 : freePort();
      Properties p = new Properties();
      p.put("process.roles", "broker,controller");
      p.put("node.id", "1");
      p.put("controller.quorum.voters", "1@localhost:" + controllerPort);
      String sasl = saslUsers.isEmpty() ? "" : ",SASL_PLAINTEXT://localhost:" + saslPort;
      p.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort + sasl);
      p.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort + sasl);
      p.put("controller.listener.names", "CONTROLLER");
      p.put("inter.broker.listener.name", "PLAINTEXT");
      p.put("listener.security.protocol.map",
          "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT");
      if (!saslUsers.isEmpty()) {
        StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
        saslUsers.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
        p.put("sasl.enabled.mechanisms", "PLAIN");
        p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
      }
      p.put("log.dirs", dir.toString());
      p.put("num.partitions", "1");
      p.put("offsets.topic.replication.factor", "1");
      p.put("offsets.topic.num.partitions", "5");
      p.put("transaction.state.log.replication.factor", "1");
      p.put("transaction.state.log.min.isr", "1");
      p.put("transaction.state.log.num.partitions", "5");
      p.put("group.initial.rebalance.delay.ms", "0");
      // Abort transactions of crashed producers within seconds, not the default minute.
      p.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
      p.put("share.coordinator.state.topic.replication.factor", "1");
      p.put("share.coordinator.state.topic.min.isr", "1");
      KafkaConfig config = KafkaConfig.fromProps(p);
      new Formatter().setNodeId(1).setClusterId(Uuid.randomUuid().toString())
          .addDirectory(dir.toString())
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setControllerListenerName("CONTROLLER")
          .setMetadataLogDirectory(dir.toString())
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .run();
      KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, p, dir, "localhost:" + brokerPort,
          saslPort < 0 ? null : "localhost:" + saslPort);
      broker.awaitReady();
      log.info("embedded Kafka broker ready at {}", broker.bootstrapServers);
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the embedded Kafka broker: " + e.getMessage(), e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The SASL/PLAIN listener, or null when the broker was started without users. */
  public String saslBootstrapServers() {
    return saslBootstrapServers;
  }

  /** The broker's temporary data directory (deleted on close). */
  public Path logDir() {
    return logDir;
  }

  /** Creates topics (existing ones are left alone). */
  public void createTopics(int partitions, String... names) {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      List<NewTopic> topics = Stream.of(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList();
      try {
        admin.createTopics(topics).all().get();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topics: " + e.getCause().getMessage(), e);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void awaitReady() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
      admin.describeCluster().nodes().get();
    }
  }

  /**
   * Stops the broker and starts it again on the same ports and log directory, after
   * {@code downtime}: what a broker restart looks like to its clients.
   */
  public void restart(java.time.Duration downtime) throws Exception {
    server.shutdown();
    server.awaitShutdown();
    Thread.sleep(downtime.toMillis());
    server = new KafkaRaftServer(KafkaConfig.fromProps(props), Time.SYSTEM);
    server.startup();
    awaitReady();
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
    deleteRecursively(logDir);
  }

  /** Best-effort removal of a temporary directory tree. */
  public static void deleteRecursively(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      log.debug("could not delete {}: {}", dir, e.getMessage());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
