package io.vmagent.backend.http;

import io.vmagent.backend.auth.PeerIdentity;
import io.vmagent.backend.service.Drains;
import io.vmagent.protocol.DrainRequest;
import io.vmagent.protocol.ProtocolPaths;
import java.util.List;

/** Drains: an operator begins emptying an agent's host, follows it and ends it. */
final class DrainRoutes {
  private DrainRoutes() {}

  /** The name in the caller's operator certificate; null when it presented none. */
  private static String operatorName(Exchange x) {
    PeerIdentity peer = x.peer();
    return peer != null && peer.role() == PeerIdentity.Role.OPERATOR ? peer.name() : null;
  }

  static List<Route> of(Drains drains, Callers callers, int maxBodyBytes) {
    return List.of(
        Route.post(ProtocolPaths.OPERATOR_AGENT_DRAIN)
            .by(callers.operator())
            .answer(
                Body.of(DrainRequest.class, maxBodyBytes),
                (x, request) ->
                    Reply.created(drains.begin(x.pathParam("agentId"), request, operatorName(x)))),
        Route.get(ProtocolPaths.OPERATOR_AGENT_DRAIN)
            .by(callers.operator())
            .answer(x -> Reply.ok(drains.view(x.pathParam("agentId")))),
        Route.delete(ProtocolPaths.OPERATOR_AGENT_DRAIN)
            .by(callers.operator())
            .answer(x -> Reply.ok(drains.end(x.pathParam("agentId")))));
  }
}
