package io.vmagent.backend.service;

import io.vmagent.backend.auth.AccessTokens;
import io.vmagent.backend.auth.AgentPrincipal;
import io.vmagent.backend.auth.InvalidTokenException;
import io.vmagent.backend.auth.PeerIdentity;
import io.vmagent.backend.auth.Secrets;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.TokenStore;
import java.time.Clock;
import java.util.Optional;

/**
 * Turns a request's credentials into a caller: an agent (access JWT whose agent and token family
 * are not revoked) or the operator (a known operator token); and, whenever a client certificate is
 * presented, holds the caller to the identity it names.
 */
public final class Authenticator {

  private final Database database;
  private final AccessTokens accessTokens;
  private final AgentStore agents;
  private final TokenStore tokens;
  private final ClientAuth clientAuth;
  private final Clock clock;

  /**
   * An authenticator over these stores, enforcing client certificates as {@code clientAuth} says.
   */
  public Authenticator(
      Database database,
      AccessTokens accessTokens,
      AgentStore agents,
      TokenStore tokens,
      ClientAuth clientAuth,
      Clock clock) {
    this.database = database;
    this.accessTokens = accessTokens;
    this.agents = agents;
    this.tokens = tokens;
    this.clientAuth = clientAuth;
    this.clock = clock;
  }

  /**
   * The agent the header's access token names; 401 when it is missing, bad or revoked, 403 when a
   * client certificate names someone else (or none is presented where one is required).
   */
  public AgentPrincipal agent(String header, PeerIdentity peer) {
    String token =
        Secrets.bearer(header)
            .orElseThrow(() -> ApiException.unauthorized("no bearer token was sent"));
    if (token.startsWith(Secrets.OPERATOR_PREFIX) && isOperator(header)) {
      throw ApiException.forbidden("the operator token cannot act as an agent");
    }
    AgentPrincipal principal;
    try {
      principal = accessTokens.verify(token);
    } catch (InvalidTokenException e) {
      throw ApiException.unauthorized(e.getMessage());
    }
    requireAgentCertificate(peer, principal.agentId());
    // Read on every request, so that a revocation by any instance holds at the next request.
    database.read(
        "check the agent's revocation",
        c -> {
          Optional<AgentStore.Standing> standing =
              agents.standing(c, principal.agentId(), principal.familyId());
          if (standing.isEmpty() || standing.get().revoked()) {
            throw ApiException.unauthorized("the agent is revoked or unknown");
          }
          if (standing.get().chainRevoked()) {
            throw ApiException.unauthorized("the access token's token chain is revoked");
          }
          if (peer != null) {
            requireBoundKey(peer, standing.get().boundKey());
          }
          return null;
        });
    return principal;
  }

  /** The agent, which must be the one named in the path; 403 for another agent's resources. */
  public AgentPrincipal agentFor(String header, PeerIdentity peer, String pathAgentId) {
    AgentPrincipal principal = agent(header, peer);
    if (!principal.agentId().equals(pathAgentId)) {
      throw ApiException.forbidden("an agent may only use its own resources");
    }
    return principal;
  }

  /**
   * Holds an agent's request to its certificate: none where one is required is 403, and one that
   * names another agent, an operator or has expired is 403 whatever the token says.
   */
  public void requireAgentCertificate(PeerIdentity peer, String agentId) {
    if (peer == null) {
      if (clientAuth == ClientAuth.REQUIRED) {
        throw ApiException.forbidden(
            "this backend requires a client certificate and none was presented (a client does"
                + " not send one that the backend's CAs did not issue); an agent of protocol"
                + " version 2 enrolls itself at registration");
      }
      return;
    }
    if (peer.role() != PeerIdentity.Role.AGENT) {
      throw ApiException.forbidden("an operator's certificate cannot be used for agent requests");
    }
    if (peer.expired(clock.instant())) {
      throw ApiException.forbidden("the client certificate has expired");
    }
    if (!peer.name().equals(agentId)) {
      // The certificate's name is not echoed: it came from outside and may hold anything.
      throw ApiException.forbidden("the client certificate names another agent than " + agentId);
    }
  }

  /**
   * A certificate of the fleet CA must be for the key the agent's id is bound to now: one issued
   * before a reset, or for a revoked agent's old key, is refused before it expires.
   */
  static void requireBoundKey(PeerIdentity peer, String boundKey) {
    if (!peer.fleetIssued()) {
      return; // an operator's own PKI: its keys are not agents' keys
    }
    if (!peer.publicKey().equals(boundKey)) {
      throw ApiException.forbidden(
          "the client certificate is not for this agent's current key (was the agent reset?)");
    }
  }

  /** True when every agent and operator request must come with a client certificate. */
  public boolean certificatesRequired() {
    return clientAuth == ClientAuth.REQUIRED;
  }

  /** True when the header carries a known operator token. */
  public boolean isOperator(String header) {
    Optional<String> token = Secrets.bearer(header);
    if (token.isEmpty() || !token.get().startsWith(Secrets.OPERATOR_PREFIX)) {
      return false;
    }
    String hash = Secrets.hash(token.get());
    return database.read("check an operator token", c -> tokens.operatorTokenKnown(c, hash));
  }

  /**
   * Requires the operator token: 401 without credentials, 403 with an agent's; and, when a client
   * certificate is presented (or required), an operator's certificate.
   */
  public void requireOperator(String header, PeerIdentity peer) {
    if (Secrets.bearer(header).isEmpty()) {
      throw ApiException.unauthorized("the operator token is required");
    }
    if (!isOperator(header)) {
      if (Secrets.bearer(header).get().startsWith(Secrets.OPERATOR_PREFIX)) {
        throw ApiException.unauthorized("the operator token is not known to this backend");
      }
      throw ApiException.forbidden("this request needs the operator token");
    }
    if (peer == null) {
      if (clientAuth == ClientAuth.REQUIRED) {
        throw ApiException.forbidden(
            "this backend requires a client certificate: give vm-backend --client-cert and"
                + " --client-key (issue one with 'vm-backend cert issue --operator NAME')");
      }
      return;
    }
    if (peer.role() != PeerIdentity.Role.OPERATOR) {
      throw ApiException.forbidden("an agent's certificate cannot be used for operator requests");
    }
    if (peer.expired(clock.instant())) {
      throw ApiException.forbidden("the client certificate has expired");
    }
  }
}
