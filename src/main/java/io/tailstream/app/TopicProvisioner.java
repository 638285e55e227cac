package io.tailstream.app;

import io.tailstream.config.TopicSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for Kafka to answer (retrying with backoff and a clear log line instead of a stack trace)
 * and creates the input, output and dead-letter topics that are missing when
 * {@code topics.create} is on. Kafka Streams creates its own internal topics itself.
 */
final class TopicProvisioner {
  private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private TopicProvisioner() {}

  /** An admin client with short timeouts, so that waiting for Kafka logs instead of hanging. */
  static Admin connect(Properties adminProps) {
    Properties props = new Properties();
    props.putAll(adminProps);
    props.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    return Admin.create(props);
  }

  /** {@link #ensureTopics(Admin, String, TopicSettings)} with an admin client of its own. */
  static void ensureTopics(Properties adminProps, TopicSettings topics) throws InterruptedException {
    try (Admin admin = connect(adminProps)) {
      ensureTopics(admin, adminProps.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG), topics);
    }
  }

  /** Returns when the topics exist; throws {@link IllegalStateException} when they cannot. */
  static void ensureTopics(Admin admin, String servers, TopicSettings topics) throws InterruptedException {
    Set<String> wanted = new LinkedHashSet<>(List.of(topics.input(), topics.output(),
        topics.deadLetter(), topics.control(), topics.rates()));
    Duration backoff = Duration.ofSeconds(1);
    while (true) {
      try {
        Set<String> existing = admin.listTopics().names().get(15, TimeUnit.SECONDS);
        List<String> missing = new ArrayList<>(wanted);
        missing.removeAll(existing);
        if (missing.isEmpty()) {
          return;
        }
        if (!topics.create()) {
          throw new IllegalStateException("topics " + missing + " do not exist on " + servers
              + " and topics.create is false: create them, or set topics.create: true");
        }
        create(admin, missing, topics);
        return;
      } catch (ExecutionException | TimeoutException e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
          // Retrying will not fix credentials or ACLs.
          throw new IllegalStateException("Kafka at " + servers + " refused tailstream: "
              + cause.getMessage() + " (check the security settings in kafka.properties)", cause);
        }
        log.warn("cannot reach Kafka at {} ({}); retrying in {} s", servers,
            cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(),
            backoff.toSeconds());
        Thread.sleep(backoff.toMillis());
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }

  private static void create(Admin admin, List<String> missing, TopicSettings topics)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<NewTopic> newTopics = missing.stream().map(name -> {
      boolean compacted = name.equals(topics.control()) || name.equals(topics.rates());
      // Control and rates topics are small and keyed by scope: one partition keeps them in order,
      // compaction keeps the latest message per key.
      NewTopic t = new NewTopic(name, compacted ? 1 : topics.partitions(), topics.replicationFactor());
      if (compacted) {
        return t.configs(java.util.Map.of("cleanup.policy", "compact"));
      }
      // Dead letters are input records plus headers: allow them as large as internal records.
      return name.equals(topics.deadLetter()) ? t.configs(java.util.Map.of("max.message.bytes",
          Integer.toString(16 << 20))) : t;
    }).toList();
    try {
      admin.createTopics(newTopics).all().get(30, TimeUnit.SECONDS);
      log.info("created topics {} ({} partitions, replication factor {})", missing,
          topics.partitions(), topics.replicationFactor());
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("cannot create topics " + missing + ": "
            + e.getCause().getMessage(), e.getCause());
      }
    }
  }
}
