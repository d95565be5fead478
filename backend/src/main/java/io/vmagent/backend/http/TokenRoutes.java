package io.vmagent.backend.http;

import io.vmagent.backend.service.RegistrationService;
import io.vmagent.protocol.BootstrapTokenList;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import io.vmagent.protocol.ProtocolPaths;
import java.util.List;

/** An operator's bootstrap tokens: create, list and revoke. */
final class TokenRoutes {
  private TokenRoutes() {}

  static List<Route> of(RegistrationService registration, Callers callers, int maxBodyBytes) {
    return List.of(
        Route.post(ProtocolPaths.OPERATOR_TOKENS)
            .by(callers.operator())
            .answer(
                Body.of(CreateBootstrapTokenRequest.class, maxBodyBytes),
                (x, request) -> Reply.created(registration.createBootstrapToken(request))),
        Route.get(ProtocolPaths.OPERATOR_TOKENS)
            .by(callers.operator())
            .answer(x -> Reply.ok(new BootstrapTokenList(registration.listBootstrapTokens()))),
        Route.post(ProtocolPaths.OPERATOR_TOKEN_REVOKE)
            .by(callers.operator())
            .answer(x -> Reply.ok(registration.revokeBootstrapToken(x.pathParam("tokenId")))));
  }
}
