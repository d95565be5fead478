package io.vmagent.backend.http;

import io.vmagent.backend.limits.Throttles;
import io.vmagent.backend.service.AgentService;
import io.vmagent.backend.service.ApiException;
import io.vmagent.backend.service.TelemetryService;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.ProtocolPaths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What an agent reports: heartbeats, metrics (within a daily quota) and events. */
final class TelemetryRoutes {
  private TelemetryRoutes() {}

  static List<Route> of(
      AgentService agents,
      TelemetryService telemetry,
      Throttles throttles,
      long metricsBytesPerDay,
      Callers callers,
      int maxBodyBytes,
      int maxBatchBytes) {
    return List.of(
        Route.post(ProtocolPaths.HEARTBEAT)
            .by(callers.pathAgent())
            .answer(
                Body.of(HeartbeatRequest.class, maxBodyBytes),
                (x, heartbeat) -> Reply.ok(agents.heartbeat(x.agentId(), heartbeat))),
        Route.post(ProtocolPaths.METRICS)
            .by(callers.pathAgent())
            .answer(
                Body.of(MetricsBatch.class, maxBatchBytes),
                (x, metrics) -> {
                  Optional<Duration> wait = throttles.metrics(x.agentId(), x.bodyBytes());
                  if (wait.isPresent()) {
                    // Refused before anything is stored; the agent keeps the samples in its
                    // spool (dropping its oldest past its bound) and sends again when the day is
                    // over.
                    throw ApiException.rateLimited(
                        "agent "
                            + x.agentId()
                            + " sent its "
                            + quota(metricsBytesPerDay)
                            + " of metrics for the day; send again after the Retry-After",
                        wait.get());
                  }
                  return Reply.ok(telemetry.metrics(x.agentId(), metrics));
                }),
        Route.post(ProtocolPaths.EVENTS)
            .by(callers.pathAgent())
            .answer(
                Body.of(EventBatch.class, maxBatchBytes),
                (x, events) -> Reply.ok(telemetry.events(x.agentId(), events))));
  }

  private static String quota(long bytes) {
    return bytes >= (1 << 20) && bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
  }
}
