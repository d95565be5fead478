package io.vmagent.backend.http;

import io.vmagent.backend.auth.Secrets;
import io.vmagent.backend.service.RegistrationService;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RefreshRequest;
import io.vmagent.protocol.RegisterRequest;
import java.util.List;

/**
 * An agent registers (with a bootstrap token or its key), refreshes its access token, and checks a
 * bootstrap token without using it.
 */
final class RegistrationRoutes {
  private RegistrationRoutes() {}

  static List<Route> of(RegistrationService registration, int maxBodyBytes) {
    return List.of(
        Route.post(ProtocolPaths.REGISTER)
            .by(Caller.checkedByService(Credential.BOOTSTRAP_TOKEN))
            .answer(
                Body.of(RegisterRequest.class, maxBodyBytes),
                (x, request) -> {
                  // Absent when the agent proves its key instead; the service says what is missing.
                  String token = Secrets.bearer(x.authorization()).orElse(null);
                  return Reply.ok(
                      registration.register(token, request, x.peer(), x.remoteAddress()));
                }),
        Route.post(ProtocolPaths.REFRESH)
            .by(Caller.checkedByService(Credential.REFRESH_TOKEN))
            .answer(
                Body.secret(RefreshRequest.class, maxBodyBytes),
                (x, request) -> Reply.ok(registration.refresh(request, x.peer()))),
        // A bootstrap token is guessable: failed checks are counted and blocked as at register.
        Route.get(ProtocolPaths.BOOTSTRAP_TOKEN_CHECK)
            .by(Caller.checkedByService(Credential.BOOTSTRAP_TOKEN))
            .answer(
                x ->
                    Reply.ok(
                        registration.checkBootstrapToken(
                            Secrets.bearer(x.authorization()).orElse(null)))));
  }
}
