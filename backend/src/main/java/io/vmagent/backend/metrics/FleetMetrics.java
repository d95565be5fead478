package io.vmagent.backend.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;

/**
 * The fleet as the backend sees it at a scrape: agents by status, commands by state, long polls.
 */
public final class FleetMetrics {
  private FleetMetrics() {}

  /** Where the fleet's figures are read at each scrape. */
  public interface Source {
    /** Registered agents by status ({@code online}, {@code offline}). */
    Map<String, Integer> agentsByStatus();

    /** Commands kept by the backend, by state ({@code queued}, {@code leased}, ...). */
    Map<String, Integer> commandsByState();

    /** Long polls waiting for a command now. */
    int waitingPolls();
  }

  static void register(PrometheusRegistry registry, Source source) {
    GaugeWithCallback.builder()
        .name("vm_backend_agents")
        .help("Registered agents, by status")
        .labelNames("status")
        .callback(gauge -> source.agentsByStatus().forEach((s, n) -> gauge.call(n, s)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("vm_backend_commands")
        .help("Commands kept by the backend, by state")
        .labelNames("state")
        .callback(gauge -> source.commandsByState().forEach((s, n) -> gauge.call(n, s)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("vm_backend_long_polls_waiting")
        .help("Agents' long polls waiting for a command")
        .callback(gauge -> gauge.call(source.waitingPolls()))
        .register(registry);
  }
}
