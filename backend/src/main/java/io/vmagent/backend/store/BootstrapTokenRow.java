package io.vmagent.backend.store;

import java.time.Instant;

/** One row of the bootstrap_tokens table (the secret itself is never stored, only its hash). */
public record BootstrapTokenRow(
    String tokenId,
    String tokenHash,
    String description,
    boolean singleUse,
    Instant createdAt,
    Instant expiresAt,
    Instant usedAt,
    String usedByAgent,
    boolean revoked,
    Integer maxAgents,
    int agentsCreated) {}
