package io.vmagent.backend.http;

import io.vmagent.backend.config.Limits;
import io.vmagent.backend.limits.Throttles;
import io.vmagent.backend.metrics.BackendMetrics;
import io.vmagent.backend.service.AgentService;
import io.vmagent.backend.service.Authenticator;
import io.vmagent.backend.service.CommandService;
import io.vmagent.backend.service.Drains;
import io.vmagent.backend.service.EventHistory;
import io.vmagent.backend.service.IdentityService;
import io.vmagent.backend.service.MetricsHistoryService;
import io.vmagent.backend.service.Migrations;
import io.vmagent.backend.service.RegistrationService;
import io.vmagent.backend.service.TelemetryService;
import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.EventStore;
import io.vmagent.backend.store.MetricsRollupStore;
import io.vmagent.backend.web.Sessions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The API's routes, one group per resource, and the handler that serves them. */
public final class Routes {
  private Routes() {}

  /** Everything the endpoints need. */
  public record Services(
      Database database,
      Authenticator auth,
      Sessions sessions,
      RegistrationService registration,
      IdentityService identities,
      AgentService agents,
      CommandService commands,
      TelemetryService telemetry,
      Supplier<List<String>> publicKeys,
      String latestAgentVersion,
      String backendVersion,
      int maxBodyBytes,
      int maxBatchBytes,
      Throttles throttles,
      Limits limits,
      Clock clock,
      Migrations migrations,
      Drains drains) {}

  /** The handler serving every route, counting each answer in {@code metrics}. */
  public static ApiHandler handler(Services s, BackendMetrics metrics) {
    Callers callers =
        new Callers(s.auth(), s.sessions(), s.throttles(), s.limits().agentRequestsPerMinute());
    int body = s.maxBodyBytes();
    int batch = s.maxBatchBytes();
    List<Route> routes = new ArrayList<>();
    routes.addAll(RegistrationRoutes.of(s.registration(), body));
    routes.addAll(IdentityRoutes.of(s.identities(), callers));
    routes.addAll(
        TelemetryRoutes.of(
            s.agents(),
            s.telemetry(),
            s.throttles(),
            s.limits().metricsBytesPerAgentPerDay(),
            callers,
            body,
            batch));
    routes.addAll(CommandRoutes.of(s.commands(), callers, body, batch));
    routes.addAll(MigrationRoutes.of(s.migrations(), callers, body));
    routes.addAll(DrainRoutes.of(s.drains(), callers, body));
    routes.addAll(
        FleetRoutes.of(
            s.agents(),
            new EventHistory(s.database(), new EventStore()),
            new MetricsHistoryService(
                s.database(),
                new AgentStore(),
                new MetricsRollupStore(s.database().dialect()),
                s.clock()),
            callers));
    routes.addAll(TokenRoutes.of(s.registration(), callers, body));
    routes.addAll(ServiceRoutes.of(s, callers));
    routes.addAll(MonitoringRoutes.of(metrics, s.agents(), callers));
    return new ApiHandler(routes, s.throttles(), s.limits().maxRequestsInFlight(), metrics);
  }
}
