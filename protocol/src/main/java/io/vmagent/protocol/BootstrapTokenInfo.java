package io.vmagent.protocol;

import java.time.Instant;

/**
 * A bootstrap token without its secret.
 *
 * @param id the token's id
 * @param description what it is for
 * @param singleUse true when only one agent may register with it
 * @param createdAt when it was created
 * @param expiresAt when it stops working; null for never
 * @param usedAt when an agent first registered with it; null if never
 * @param usedByAgent the agent that first registered with it; null if none
 * @param revoked true when an operator revoked it
 * @param maxAgents how many agents it may ever create; null for no limit
 * @param agentsCreated how many agents it created
 */
public record BootstrapTokenInfo(
    String id,
    String description,
    boolean singleUse,
    Instant createdAt,
    Instant expiresAt,
    Instant usedAt,
    String usedByAgent,
    boolean revoked,
    Integer maxAgents,
    int agentsCreated) {}
