package io.vmagent.backend.auth;

/**
 * The agent an access token was issued to.
 *
 * @param agentId the agent id (the token's subject)
 * @param familyId the refresh-token family the token belongs to
 */
public record AgentPrincipal(String agentId, String familyId) {}
