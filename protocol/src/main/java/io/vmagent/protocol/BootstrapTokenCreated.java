package io.vmagent.protocol;

import java.time.Instant;

/**
 * A new bootstrap token with its secret, which the backend shows only this once.
 *
 * @param id the token's id
 * @param token the secret to give the agent as {@code AGENT_TOKEN}
 * @param description what it is for
 * @param singleUse true when only one agent may register with it
 * @param createdAt when it was created
 * @param expiresAt when it stops working; null for never
 */
public record BootstrapTokenCreated(
    String id,
    String token,
    String description,
    boolean singleUse,
    Instant createdAt,
    Instant expiresAt) {

  /** Keeps the secret out of logs and exception messages. */
  @Override
  public String toString() {
    return "BootstrapTokenCreated[id="
        + id
        + ", singleUse="
        + singleUse
        + ", expiresAt="
        + expiresAt
        + "]";
  }
}
