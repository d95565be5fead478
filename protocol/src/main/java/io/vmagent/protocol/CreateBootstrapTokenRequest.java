package io.vmagent.protocol;

/**
 * An operator's request for a new bootstrap token.
 *
 * @param description what the token is for; may be null
 * @param singleUse true when only one agent may register with it
 * @param expiresInSeconds seconds until it stops working; null for no expiry
 */
public record CreateBootstrapTokenRequest(
    String description, Boolean singleUse, Long expiresInSeconds) {}
