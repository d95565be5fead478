package io.vmagent.backend.http;

import io.vmagent.backend.limits.Throttles;
import io.vmagent.backend.service.ApiException;
import io.vmagent.backend.service.Authenticator;
import io.vmagent.backend.web.Sessions;
import java.time.Duration;
import java.util.Optional;

/** The callers the routes admit, checked with the authenticator and the per-agent throttles. */
final class Callers {
  private static final Duration HOLD = Duration.ofSeconds(10);

  private final Authenticator auth;
  private final Sessions sessions;
  private final Throttles throttles;
  private final int agentRequestsPerMinute;

  Callers(Authenticator auth, Sessions sessions, Throttles throttles, int agentRequestsPerMinute) {
    this.auth = auth;
    this.sessions = sessions;
    this.throttles = throttles;
    this.agentRequestsPerMinute = agentRequestsPerMinute;
  }

  /** The agent the path names, with its access token; its requests to each route are limited. */
  Caller pathAgent() {
    return new Caller(Credential.ACCESS_TOKEN, x -> x.admitAgent(throttledAgent(x)));
  }

  /** An operator, with the operator token or the dashboard's session (and its CSRF token). */
  Caller operator() {
    return new Caller(
        Credential.OPERATOR_TOKEN,
        x -> {
          if (bySession(x)) {
            return;
          }
          auth.requireOperator(x.authorization(), x.peer());
          x.admitOperator();
        });
  }

  /** An operator, or the agent the path names. */
  Caller operatorOrPathAgent() {
    return new Caller(
        Credential.ACCESS_TOKEN,
        x -> {
          if (!admittedOperator(x)) {
            x.admitAgent(
                auth.agentFor(x.authorization(), x.peer(), x.pathParam("agentId")).agentId());
          }
        });
  }

  /** An operator, or any agent. */
  Caller operatorOrAgent() {
    return new Caller(
        Credential.ACCESS_TOKEN,
        x -> {
          if (!admittedOperator(x)) {
            x.admitAgent(auth.agent(x.authorization(), x.peer()).agentId());
          }
        });
  }

  /** Anyone; a caller who sends a credential must be an operator, and is told more. */
  Caller anyoneOrOperator() {
    return new Caller(
        Credential.NONE,
        x -> {
          if (x.authorization() != null) {
            auth.requireOperator(x.authorization(), x.peer());
            x.admitOperator();
          }
        });
  }

  /**
   * A caller on this host without a credential (what a local Prometheus sends), or an operator; a
   * caller who sends a credential must be an operator.
   */
  Caller loopbackOrOperator() {
    return new Caller(
        Credential.OPERATOR_TOKEN,
        x -> {
          if (x.authorization() == null && x.fromLoopback()) {
            return;
          }
          auth.requireOperator(x.authorization(), x.peer());
          x.admitOperator();
        });
  }

  /**
   * Admits an operator by the dashboard's session cookie when the request carries no bearer token
   * (a token, when sent, is what the caller is held to).
   */
  private boolean bySession(Exchange x) {
    if (x.authorization() == null
        && sessions.admits(x.sessionCookie(), x.method(), x.header(Sessions.CSRF_HEADER))) {
      x.admitOperator();
      return true;
    }
    return false;
  }

  private boolean admittedOperator(Exchange x) {
    if (bySession(x)) {
      return true;
    }
    if (!auth.isOperator(x.authorization())) {
      return false;
    }
    auth.requireOperator(x.authorization(), x.peer());
    x.admitOperator();
    return true;
  }

  private String throttledAgent(Exchange x) {
    String credential = Throttles.credentialKey(x.authorization());
    if (credential != null) {
      Optional<Duration> early = throttles.credentialExhausted(credential, x.routeTemplate());
      if (early.isPresent()) {
        // The client was told already and sends again: the answer waits 10 s, so a client
        // looping on a refused token makes one request per connection every 10 s, not
        // thousands a second (a rate refills continuously, so its own Retry-After is short).
        throw ApiException.rateLimited(
                "too many requests to this endpoint with this token; retry after the Retry-After",
                early.get())
            .heldFor(HOLD);
      }
    }
    String agentId = auth.agentFor(x.authorization(), x.peer(), x.pathParam("agentId")).agentId();
    Optional<Duration> wait = throttles.agentRequest(agentId, credential, x.routeTemplate());
    if (wait.isPresent()) {
      throw ApiException.rateLimited(
          "agent "
              + agentId
              + " made more than its "
              + agentRequestsPerMinute
              + " requests a minute to this endpoint",
          wait.get());
    }
    return agentId;
  }
}
