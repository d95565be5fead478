package io.vmagent.protocol;

/**
 * An operator's request for a new bootstrap token.
 *
 * @param description what the token is for; may be null
 * @param singleUse true when only one agent may register with it
 * @param expiresInSeconds seconds until it stops working; null for no expiry
 * @param maxAgents how many agents it may ever create; null for no limit
 */
public record CreateBootstrapTokenRequest(
    String description, Boolean singleUse, Long expiresInSeconds, Integer maxAgents) {

  /** A token without an agent limit. */
  public CreateBootstrapTokenRequest(String description, Boolean singleUse, Long expiresInSeconds) {
    this(description, singleUse, expiresInSeconds, null);
  }
}
