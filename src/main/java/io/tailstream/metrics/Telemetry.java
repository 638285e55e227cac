package io.tailstream.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The Prometheus registry of one instance and what is bound to it: the JVM and process, Kafka
 * Streams with its embedded clients (Micrometer's Kafka binders, {@code kafka_stream_*},
 * {@code kafka_consumer_*}, {@code kafka_producer_*}), other Kafka clients, and tailstream's own
 * meters, which are registered by {@link TailstreamMetrics} and {@link AdaptiveGauges}.
 */
public final class Telemetry implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final List<AutoCloseable> bound = new ArrayList<>();

  /** On every series: alerts and dashboards select tailstream whatever the scrape job is called. */
  public static final String APPLICATION_TAG = "application";

  public Telemetry() {
    registry.config().commonTags(APPLICATION_TAG, "tailstream");
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    bound.add(gc);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Binds Kafka Streams' metrics, and those of its consumers and producers, until close. */
  public void bind(KafkaStreams streams) {
    KafkaStreamsMetrics m = new KafkaStreamsMetrics(streams);
    m.bindTo(registry);
    bound.add(m);
  }

  public void bind(Producer<?, ?> producer) {
    KafkaClientMetrics m = new KafkaClientMetrics(producer);
    m.bindTo(registry);
    bound.add(m);
  }

  /** Every meter in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    for (AutoCloseable c : bound) {
      try {
        c.close();
      } catch (Exception ignored) {
        // closing meter binders only stops their schedulers and listeners
      }
    }
    registry.close();
  }
}
