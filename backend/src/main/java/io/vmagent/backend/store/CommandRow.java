package io.vmagent.backend.store;

import java.time.Instant;

/** One row of the commands table. */
public record CommandRow(
    String commandId,
    String agentId,
    String operation,
    String paramsJson,
    String state,
    Instant createdAt,
    Instant deadline,
    Instant leaseExpiresAt,
    int deliveries,
    String resultJson,
    Instant finishedAt,
    String lateResultJson,
    String vm,
    Instant cancelRequestedAt) {}
