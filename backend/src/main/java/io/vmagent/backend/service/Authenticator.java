package io.vmagent.backend.service;

import io.vmagent.backend.auth.AccessTokens;
import io.vmagent.backend.auth.AgentPrincipal;
import io.vmagent.backend.auth.Secrets;
import io.vmagent.backend.store.AgentRow;
import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.TokenStore;
import java.util.Optional;

/**
 * Turns an {@code Authorization} header into a caller: an agent (access JWT whose agent and token
 * family are not revoked) or the operator (a known operator token).
 */
public final class Authenticator {
  private static final String BEARER = "Bearer ";

  private final Database database;
  private final AccessTokens accessTokens;
  private final AgentStore agents;
  private final TokenStore tokens;

  /** An authenticator over these stores. */
  public Authenticator(
      Database database, AccessTokens accessTokens, AgentStore agents, TokenStore tokens) {
    this.database = database;
    this.accessTokens = accessTokens;
    this.agents = agents;
    this.tokens = tokens;
  }

  /** The bearer token of the header, or empty when there is none. */
  public static Optional<String> bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    String token = header.substring(BEARER.length()).trim();
    return token.isEmpty() || token.length() > 4096 ? Optional.empty() : Optional.of(token);
  }

  /** The agent the header's access token names; 401 when it is missing, bad or revoked. */
  public AgentPrincipal agent(String header) {
    String token =
        bearer(header).orElseThrow(() -> ApiException.unauthorized("no bearer token was sent"));
    if (token.startsWith(Secrets.OPERATOR_PREFIX) && isOperator(header)) {
      throw ApiException.forbidden("the operator token cannot act as an agent");
    }
    AgentPrincipal principal = accessTokens.verify(token);
    database.inTransaction(
        "check the agent's revocation",
        c -> {
          Optional<AgentRow> agent = agents.find(c, principal.agentId());
          if (agent.isEmpty() || agent.get().revoked()) {
            throw ApiException.unauthorized("the agent is revoked or unknown");
          }
          if (tokens.familyRevokedAt(c, principal.familyId()).isPresent()) {
            throw ApiException.unauthorized("the access token's token chain is revoked");
          }
          return null;
        });
    return principal;
  }

  /** The agent, which must be the one named in the path; 403 for another agent's resources. */
  public AgentPrincipal agentFor(String header, String pathAgentId) {
    AgentPrincipal principal = agent(header);
    if (!principal.agentId().equals(pathAgentId)) {
      throw ApiException.forbidden("an agent may only use its own resources");
    }
    return principal;
  }

  /** True when the header carries a known operator token. */
  public boolean isOperator(String header) {
    Optional<String> token = bearer(header);
    if (token.isEmpty() || !token.get().startsWith(Secrets.OPERATOR_PREFIX)) {
      return false;
    }
    String hash = Secrets.hash(token.get());
    return database.inTransaction(
        "check an operator token", c -> tokens.operatorTokenKnown(c, hash));
  }

  /** Requires the operator token: 401 without credentials, 403 with an agent's. */
  public void requireOperator(String header) {
    if (bearer(header).isEmpty()) {
      throw ApiException.unauthorized("the operator token is required");
    }
    if (!isOperator(header)) {
      if (bearer(header).get().startsWith(Secrets.OPERATOR_PREFIX)) {
        throw ApiException.unauthorized("the operator token is not known to this backend");
      }
      throw ApiException.forbidden("this request needs the operator token");
    }
  }
}
