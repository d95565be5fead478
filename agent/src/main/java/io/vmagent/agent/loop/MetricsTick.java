package io.vmagent.agent.loop;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vmagent.agent.backend.BackendClient;
import io.vmagent.agent.backend.ClockOffset;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.MetricsJson;
import io.vmagent.agent.metrics.MetricsSampler;
import io.vmagent.agent.metrics.MetricsSnapshot;
import io.vmagent.agent.metrics.domain.DomainCollector;
import io.vmagent.agent.metrics.domain.ManagedConnectionAccess;
import io.vmagent.agent.metrics.prometheus.PrometheusEndpoint;
import io.vmagent.agent.metrics.prometheus.SnapshotMetrics;
import io.vmagent.agent.metrics.system.SystemCollectors;
import io.vmagent.agent.operation.Operation;
import io.vmagent.agent.spool.Spool;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;

/**
 * Metrics snapshots of the host and its VMs: each round of the metrics loop puts one into the
 * metrics spool ({@link #into}); {@code collect_metrics} takes one on demand; the latest is served
 * to Prometheus.
 */
public final class MetricsTick {
  private static final Logger log = LoggerFactory.getLogger(MetricsTick.class);
  private static final ObjectMapper JSON = ProtocolJson.tolerantMapper();

  private final LibvirtConnectionManager libvirt;
  private final Duration libvirtTimeout;
  private MetricsSampler sampler; // guarded by this; built on first use, off the start-up path

  /**
   * How the metrics spool reaches the backend: its samples decoded, as one batch; the clock offset
   * goes only to a backend of protocol 4 or newer.
   */
  public static Spool.Delivery delivery(BackendClient client) {
    return records -> {
      List<MetricsSample> batch = new ArrayList<>();
      int protocol = Integer.MAX_VALUE;
      for (byte[] record : records) {
        MetricsSample sample = JSON.readValue(record, MetricsSample.class);
        if (sample.clockOffsetMs() != null && protocol == Integer.MAX_VALUE) {
          protocol = client.session().protocolVersion();
        }
        batch.add(sample.forProtocol(protocol));
      }
      client.submitMetrics(new MetricsBatch(batch));
      log.debug("{} metrics samples delivered", batch.size());
    };
  }

  public MetricsTick(LibvirtConnectionManager libvirt, Duration libvirtTimeout) {
    this.libvirt = libvirt;
    this.libvirtTimeout = libvirtTimeout;
  }

  /** The {@code collect_metrics} operation: a snapshot taken now. */
  public Operation<Operation.None> operation() {
    return Operation.hostWide("collect_metrics", Duration.ofMinutes(1), p -> collect());
  }

  /**
   * Serves the latest snapshot and {@code registry}'s metrics to Prometheus on {@code listen}; the
   * endpoint is closed by the caller.
   */
  public PrometheusEndpoint serve(InetSocketAddress listen, PrometheusRegistry registry)
      throws IOException {
    registry.register(new SnapshotMetrics(this::latest));
    PrometheusEndpoint endpoint = PrometheusEndpoint.start(listen, registry);
    log.info("Prometheus metrics served on {}:{}", listen.getHostString(), endpoint.port());
    return endpoint;
  }

  /**
   * The metrics loop's round: a snapshot, as a sample carrying {@code clockOffset}'s estimate, into
   * {@code spool}.
   */
  public PeriodicLoop.Round into(Spool spool, ClockOffset clockOffset) {
    return () -> {
      Long offset = clockOffset.current().map(Duration::toMillis).orElse(null);
      spool.append(
          JSON.writeValueAsBytes(new MetricsSample(Instant.now(), collect(), offset)), true);
    };
  }

  /** A snapshot taken now, as JSON. */
  public ObjectNode collect() {
    return MetricsJson.mapper().valueToTree(sampler().collect());
  }

  /** The latest snapshot, for the Prometheus endpoint. */
  public MetricsSnapshot latest() {
    return sampler().latest();
  }

  // OSHI's first look at the host takes a second or more; building the collectors when metrics
  // are first needed keeps it off the path to registration and the first heartbeat.
  private synchronized MetricsSampler sampler() {
    if (sampler == null) {
      SystemCollectors system = new SystemCollectors(new SystemInfo());
      List<Collector> collectors = new ArrayList<>(system.create());
      collectors.add(
          new DomainCollector(
              new ManagedConnectionAccess(libvirt, libvirtTimeout),
              system.logicalCpus(),
              libvirt.uptime()));
      sampler = new MetricsSampler(collectors, Clock.systemUTC());
    }
    return sampler;
  }
}
