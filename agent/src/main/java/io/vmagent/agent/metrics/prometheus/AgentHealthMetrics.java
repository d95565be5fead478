package io.vmagent.agent.metrics.prometheus;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.vmagent.agent.command.CommandDispatcher;
import io.vmagent.agent.libvirt.ConnectionState;
import io.vmagent.protocol.CommandResult;
import java.util.Locale;
import java.util.Objects;
import java.util.function.DoubleSupplier;

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

  /**
   * Registers the health metrics in {@code registry}.
   *
   * @param secondsSinceContact seconds since the last exchange with the backend (since start while
   *     there was none), read when the metrics are scraped, so contact costs nothing unscraped
   */
  public AgentHealthMetrics(PrometheusRegistry registry, DoubleSupplier secondsSinceContact) {
    Objects.requireNonNull(registry, "registry == null");
    Objects.requireNonNull(secondsSinceContact, "secondsSinceContact == null");
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
        .callback(cb -> cb.call(secondsSinceContact.getAsDouble()))
        .register(registry);
    libvirtConnectionState(ConnectionState.CONNECTING);
  }

  /** A heartbeat was accepted by the backend. */
  public void heartbeatSent() {
    heartbeatsSent.inc();
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

  /** A command finished with {@code result} (a dispatcher's listener). */
  public void commandFinished(String operation, CommandResult result) {
    commandFinished(operation, CommandDispatcher.outcome(result));
  }

  /** The spool's current size. */
  public void spoolSize(long entries, long bytes) {
    spoolEntries.set((double) entries);
    spoolBytes.set((double) bytes);
  }

  /** The libvirt connection changed state (wire to the connection manager's listener). */
  public void libvirtConnectionState(ConnectionState state) {
    for (ConnectionState s : ConnectionState.values()) {
      libvirtState.labelValues(s.name().toLowerCase(Locale.ROOT)).set(s == state ? 1 : 0);
    }
  }
}
