package io.vmagent.backend.http;

import io.vmagent.backend.service.IdentityService;
import io.vmagent.protocol.ProtocolPaths;
import java.util.List;

/** An agent's key: the challenge it signs, its certificate, and an operator's reset of both. */
final class IdentityRoutes {
  private IdentityRoutes() {}

  static List<Route> of(IdentityService identities, Callers callers) {
    return List.of(
        Route.post(ProtocolPaths.CHALLENGE)
            .by(Caller.ANYONE)
            .answer(x -> Reply.ok(identities.challenge(x.pathParam("agentId")))),
        Route.post(ProtocolPaths.CERTIFICATE)
            .by(callers.pathAgent())
            .answer(x -> Reply.ok(identities.certificate(x.agentId()))),
        Route.post(ProtocolPaths.OPERATOR_AGENT_RESET)
            .by(callers.operator())
            .answer(x -> Reply.ok(identities.reset(x.pathParam("agentId")))));
  }
}
