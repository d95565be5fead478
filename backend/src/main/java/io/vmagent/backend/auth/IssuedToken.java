package io.vmagent.backend.auth;

import java.time.Instant;

/**
 * A freshly signed access token.
 *
 * @param token the compact JWT
 * @param expiresAt its expiry
 */
public record IssuedToken(String token, Instant expiresAt) {
  @Override
  public String toString() {
    return "IssuedToken[expiresAt=" + expiresAt + "]";
  }
}
