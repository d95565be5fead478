package io.vmagent.agent.doctor;

import io.vmagent.agent.backend.BackendHttpException;
import io.vmagent.agent.backend.Credentials;
import io.vmagent.agent.backend.HttpTransport;
import io.vmagent.agent.backend.RetryMode;
import io.vmagent.agent.config.Secret;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.BootstrapTokenCheck;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.ServiceHealth;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The checks that ask the backend: are the agent's credentials accepted, and how far is this host's
 * clock from the backend's. Each request is sent once; nothing is spent or stored.
 */
final class BackendChecks {
  static final String CREDENTIALS = "credentials";
  static final String CLOCK = "clock";

  /** Tokens and certificates tolerate about a minute between the two clocks. */
  static final Duration MAX_OFFSET = Duration.ofSeconds(60);

  private final HttpTransport transport;
  private final Clock clock;

  BackendChecks(HttpTransport transport, Clock clock) {
    this.transport = transport;
    this.clock = clock;
  }

  /**
   * Kept credentials go through an authenticated read; without them, the bootstrap token through
   * the backend's check, which does not use it up.
   */
  Finding credentials(Optional<Credentials> kept, Optional<Secret> token, Optional<String> cannot) {
    if (kept.isPresent()) {
      return keptCredentials(kept.get(), token.isPresent());
    }
    if (token.isPresent()) {
      return bootstrapToken(token.get());
    }
    return Finding.fail(
        CREDENTIALS,
        cannot.orElse("no credentials are kept and AGENT_TOKEN is not set"),
        "set AGENT_TOKEN in the env file to a bootstrap token ('vm-backend token create')");
  }

  private Finding keptCredentials(Credentials kept, boolean hasToken) {
    Instant now = clock.instant();
    String agent = "agent " + kept.agentId();
    if (!kept.accessTokenExpiresAt().isAfter(now.plusSeconds(5))) {
      // Only the refresh token could prove them now, and spending it here would leave a running
      // daemon holding a spent one (which revokes the whole chain).
      return Finding.pass(
          CREDENTIALS,
          "credentials of "
              + agent
              + " are kept; their access token expired at "
              + kept.accessTokenExpiresAt()
              + ", so they were not tried (the agent refreshes them when it runs; the refresh"
              + " token is valid until "
              + kept.refreshTokenExpiresAt()
              + ")");
    }
    try {
      transport.send(
          "GET",
          ProtocolPaths.agentStatus(kept.agentId()),
          null,
          kept.accessToken(),
          AgentStatus.class,
          RetryMode.ONCE,
          null);
      return Finding.pass(
          CREDENTIALS, "the backend accepted the kept credentials of " + agent + " (status read)");
    } catch (BackendHttpException e) {
      return Finding.fail(
          CREDENTIALS,
          "the backend refused the kept credentials of " + agent + ": " + e.getMessage(),
          e.status() == 401 || e.status() == 403
              ? "an operator may have revoked or reset this agent ('vm-backend agents show "
                  + kept.agentId()
                  + "'); "
                  + (hasToken
                      ? "the agent registers again with AGENT_TOKEN"
                      : "set AGENT_TOKEN so that it can register again")
              : "see the backend's log");
    } catch (IOException e) {
      return Finding.fail(CREDENTIALS, e.getMessage(), "see the backend's log");
    }
  }

  private Finding bootstrapToken(Secret token) {
    try {
      BootstrapTokenCheck check =
          transport.send(
              "GET",
              ProtocolPaths.BOOTSTRAP_TOKEN_CHECK,
              null,
              token.reveal(),
              BootstrapTokenCheck.class,
              RetryMode.ONCE,
              null);
      return Finding.pass(
          CREDENTIALS,
          "no credentials are kept; the backend accepts AGENT_TOKEN for a registration"
              + (check.singleUse() ? " (single use)" : "")
              + (check.expiresAt() == null ? "" : ", until " + check.expiresAt())
              + (check.agentsLeft() == null ? "" : ", for " + check.agentsLeft() + " more agents")
              + "; it was checked, not used");
    } catch (BackendHttpException e) {
      if (e.status() == 404) {
        return Finding.pass(
            CREDENTIALS,
            "no credentials are kept; AGENT_TOKEN is set, but this backend cannot check a token"
                + " without using it (it is older than this agent)");
      }
      return Finding.fail(
          CREDENTIALS,
          "the backend refused AGENT_TOKEN: " + e.getMessage(),
          e.status() == 429
              ? "too many failed attempts from this host; wait for the Retry-After and check"
                  + " AGENT_TOKEN before trying again"
              : "check AGENT_TOKEN for a typing error; if it was revoked, expired or used up, ask"
                  + " an operator for a new one ('vm-backend token create')");
    } catch (IOException e) {
      return Finding.fail(CREDENTIALS, e.getMessage(), "see the backend's log");
    }
  }

  /** The offset of this host's clock from the backend's {@code server_time}. */
  Finding clock() {
    try {
      Instant sent = clock.instant();
      ServiceHealth health =
          transport.send(
              "GET", ProtocolPaths.HEALTH, null, null, ServiceHealth.class, RetryMode.ONCE, null);
      Instant received = clock.instant();
      if (health.serverTime() == null) {
        return Finding.fail(
            CLOCK, "the backend's health answer has no server_time", "see the backend's log");
      }
      Instant local = sent.plus(Duration.between(sent, received).dividedBy(2));
      Duration offset = Duration.between(health.serverTime(), local);
      String text =
          "this host's clock is "
              + offset.abs().toMillis()
              + " ms "
              + (offset.isNegative() ? "behind" : "ahead of")
              + " the backend's";
      if (offset.abs().compareTo(MAX_OFFSET) > 0) {
        return Finding.fail(
            CLOCK,
            text + " (more than " + MAX_OFFSET.toSeconds() + " s)",
            "synchronise the clocks (timedatectl status; chrony or systemd-timesyncd): access"
                + " tokens and certificates are checked against them");
      }
      return Finding.pass(CLOCK, text);
    } catch (IOException e) {
      return Finding.fail(CLOCK, e.getMessage(), "see the backend's log");
    }
  }
}
