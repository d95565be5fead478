package io.vmagent.backend.store;

import java.time.Instant;

/** One refresh token (by hash) with the state of its family. */
public record RefreshTokenRow(
    String tokenHash,
    String familyId,
    String agentId,
    Instant expiresAt,
    Instant usedAt,
    Instant familyRevokedAt) {}
