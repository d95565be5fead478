package io.vmagent.agent.metrics.prometheus;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.vmagent.agent.libvirt.ConnectionState;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The agent's own health, for its loops to report into: heartbeats, commands, spool size, backend
 * contact and the libvirt connection. Every method is cheap and thread-safe; the figures appear on
 * the Prometheus endpoint when it is enabled and cost nothing otherwise.
 */
public final class AgentHealthMetrics {
  private final Counter heartbeatsSent;
  private final Counter heartbeatsFailed;
  private final Counter commands;
  private final Gauge spoolEntries;
  private final Gauge spoolBytes;
  private final Gauge libvirtState;
  private final LongSupplier nanoTime;
  private final long createdNanos;
  private volatile long lastContactNanos;
  private volatile boolean contacted;

  /** Registers the health metrics in {@code registry}. */
  public AgentHealthMetrics(PrometheusRegistry registry) {
    this(registry, System::nanoTime);
  }

  AgentHealthMetrics(PrometheusRegistry registry, LongSupplier nanoTime) {
    Objects.requireNonNull(registry, "registry == null");
    this.nanoTime = nanoTime;
    this.createdNanos = nanoTime.getAsLong();
    heartbeatsSent =
        Counter.builder()
            .name("vmagent_heartbeats_sent")
            .help("Heartbeats the backend accepted")
            .register(registry);
    heartbeatsFailed =
        Counter.builder()
            .name("vmagent_heartbeats_failed")
            .help("Heartbeats that failed after their retries")
            .register(registry);
    commands =
        Counter.builder()
            .name("vmagent_commands")
            .help("Commands run, by operation and outcome")
            .labelNames("operation", "outcome")
            .register(registry);
    spoolEntries =
        Gauge.builder()
            .name("vmagent_spool_entries")
            .help("Reports waiting in the spool for the backend")
            .register(registry);
    spoolBytes =
        Gauge.builder()
            .name("vmagent_spool_bytes")
            .unit(Unit.BYTES)
            .help("Size of the spool on disk")
            .register(registry);
    libvirtState =
        Gauge.builder()
            .name("vmagent_libvirt_connection_state")
            .help("1 for the libvirt connection's current state, 0 for the others")
            .labelNames("state")
            .register(registry);
    GaugeWithCallback.builder()
        .name("vmagent_backend_last_contact_age_seconds")
        .unit(Unit.SECONDS)
        .help(
            "Seconds since the last successful exchange with the backend "
                + "(since agent start while there was none)")
        .callback(cb -> cb.call(secondsSinceContact()))
        .register(registry);
    libvirtConnectionState(ConnectionState.CONNECTING);
  }

  /** A heartbeat was accepted by the backend; also counts as backend contact. */
  public void heartbeatSent() {
    heartbeatsSent.inc();
    backendContact();
  }

  /** A heartbeat failed after its retries. */
  public void heartbeatFailed() {
    heartbeatsFailed.inc();
  }

  /**
   * A command finished.
   *
   * @param operation the protocol's operation name, e.g. "start_vm"
   * @param outcome "success", "failure", "timeout"... (a small closed set: it is a label)
   */
  public void commandFinished(String operation, String outcome) {
    commands.labelValues(operation, outcome).inc();
  }

  /** The spool's current size. */
  public void spoolSize(long entries, long bytes) {
    spoolEntries.set((double) entries);
    spoolBytes.set((double) bytes);
  }

  /** Any successful exchange with the backend. */
  public void backendContact() {
    lastContactNanos = nanoTime.getAsLong();
    contacted = true;
  }

  /** The libvirt connection changed state (wire to the connection manager's listener). */
  public void libvirtConnectionState(ConnectionState state) {
    for (ConnectionState s : ConnectionState.values()) {
      libvirtState.labelValues(s.name().toLowerCase(Locale.ROOT)).set(s == state ? 1 : 0);
    }
  }

  double secondsSinceContact() {
    long since = contacted ? lastContactNanos : createdNanos;
    return (nanoTime.getAsLong() - since) / 1e9;
  }
}
