package io.vmagent.backend.http;

import io.vmagent.backend.metrics.BackendMetrics;
import io.vmagent.backend.service.AgentService;
import io.vmagent.protocol.ProtocolPaths;
import java.util.List;

/** What Prometheus reads from the backend: its own metrics and where the agents' metrics are. */
final class MonitoringRoutes {
  private MonitoringRoutes() {}

  static List<Route> of(BackendMetrics metrics, AgentService agents, Callers callers) {
    return List.of(
        Route.get(ProtocolPaths.BACKEND_METRICS)
            .by(callers.loopbackOrOperator())
            .answer(x -> Reply.text(BackendMetrics.CONTENT_TYPE, metrics.scrape())),
        Route.get(ProtocolPaths.OPERATOR_PROMETHEUS_TARGETS)
            .by(callers.operator())
            .answer(x -> Reply.ok(agents.prometheusTargets())));
  }
}
