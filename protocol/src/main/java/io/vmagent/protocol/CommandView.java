package io.vmagent.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * A command as an operator sees it: its state and, once reported, its result.
 *
 * @param id the command id
 * @param agentId the agent it is addressed to
 * @param operation the operation
 * @param params its parameters
 * @param state queued, leased, succeeded, failed, expired or cancelled
 * @param createdAt when it was queued
 * @param deadline when it must have started
 * @param leaseExpiresAt the current lease's end; null when never leased
 * @param deliveries how many times it was delivered
 * @param result the agent's result; null until reported
 * @param lateResult a result that came after the command had expired (so it was refused with 409
 *     and not applied), kept for the operator; null when none came. The first one is kept.
 * @param cancelRequestedAt when an operator asked to cancel the command after an agent had received
 *     it; null when nobody did. Its result, when it comes, is accepted: one with the error {@code
 *     CANCELLED} (an agent of protocol 4 stopped it) leaves the command cancelled.
 */
public record CommandView(
    String id,
    String agentId,
    String operation,
    Map<String, String> params,
    CommandState state,
    Instant createdAt,
    Instant deadline,
    Instant leaseExpiresAt,
    int deliveries,
    CommandResult result,
    CommandResult lateResult,
    Instant cancelRequestedAt) {

  /** Normalises absent parameters to an empty map. */
  public CommandView {
    params = Copies.map(params);
  }

  /** A view nobody asked to cancel. */
  public CommandView(
      String id,
      String agentId,
      String operation,
      Map<String, String> params,
      CommandState state,
      Instant createdAt,
      Instant deadline,
      Instant leaseExpiresAt,
      int deliveries,
      CommandResult result,
      CommandResult lateResult) {
    this(
        id,
        agentId,
        operation,
        params,
        state,
        createdAt,
        deadline,
        leaseExpiresAt,
        deliveries,
        result,
        lateResult,
        null);
  }

  /** A view without a late result, as before there was one. */
  public CommandView(
      String id,
      String agentId,
      String operation,
      Map<String, String> params,
      CommandState state,
      Instant createdAt,
      Instant deadline,
      Instant leaseExpiresAt,
      int deliveries,
      CommandResult result) {
    this(
        id,
        agentId,
        operation,
        params,
        state,
        createdAt,
        deadline,
        leaseExpiresAt,
        deliveries,
        result,
        null,
        null);
  }

  /** True once the command will not change any more (succeeded, failed, expired or cancelled). */
  public boolean finished() {
    return state == CommandState.SUCCEEDED
        || state == CommandState.FAILED
        || state == CommandState.EXPIRED
        || state == CommandState.CANCELLED;
  }
}
