package io.vmagent.backend.http;

import io.vmagent.backend.service.AgentService;
import io.vmagent.backend.service.EventHistory;
import io.vmagent.backend.service.MetricsHistoryService;
import io.vmagent.protocol.AgentList;
import io.vmagent.protocol.EventList;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.VmList;
import java.util.List;

/**
 * The fleet as an operator sees it: agents, their status, VMs, events and metrics history, and
 * revoking an agent.
 */
final class FleetRoutes {
  private FleetRoutes() {}

  static List<Route> of(
      AgentService agents, EventHistory events, MetricsHistoryService metrics, Callers callers) {
    return List.of(
        Route.get(ProtocolPaths.OPERATOR_METRICS_HISTORY)
            .by(callers.operator())
            .answer(
                x ->
                    Reply.ok(
                        metrics.history(
                            x.query("agent_id"),
                            x.query("vm"),
                            Exchange.instantQuery(x, "from"),
                            Exchange.instantQuery(x, "to"),
                            x.query("step") == null ? null : x.intQuery("step", 0)))),
        Route.get(ProtocolPaths.OPERATOR_EVENTS)
            .by(callers.operator())
            .answer(
                x ->
                    Reply.ok(
                        events.page(
                            x.query("agent_id"),
                            x.query("vm"),
                            x.query("type"),
                            Exchange.instantQuery(x, "since"),
                            Exchange.instantQuery(x, "until"),
                            x.query("after"),
                            x.intQuery("limit", EventList.DEFAULT_PAGE)))),
        Route.get(ProtocolPaths.AGENT_STATUS)
            .by(callers.operatorOrPathAgent())
            .answer(x -> Reply.ok(agents.status(x.pathParam("agentId")))),
        Route.get(ProtocolPaths.OPERATOR_AGENTS)
            .by(callers.operator())
            .answer(
                x ->
                    Reply.ok(
                        agents.page(
                            x.query("after"), x.intQuery("limit", AgentList.DEFAULT_PAGE)))),
        Route.get(ProtocolPaths.OPERATOR_AGENT)
            .by(callers.operator())
            .answer(x -> Reply.ok(agents.status(x.pathParam("agentId")))),
        Route.post(ProtocolPaths.OPERATOR_AGENT_REVOKE)
            .by(callers.operator())
            .answer(
                x ->
                    Reply.ok(
                        agents.revoke(
                            x.pathParam("agentId"), "true".equals(x.query("keep_token"))))),
        Route.get(ProtocolPaths.OPERATOR_VMS)
            .by(callers.operator())
            .answer(x -> Reply.ok(new VmList(agents.vms(x.query("agent_id"))))));
  }
}
