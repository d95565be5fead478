package io.vmagent.protocol;

import java.time.Instant;

/**
 * A new access token and a new refresh token, the answer to a refresh.
 *
 * @param accessToken the short-lived access JWT
 * @param accessTokenExpiresAt when the access token stops working
 * @param refreshToken the next one-use refresh token; the one presented is now spent
 * @param refreshTokenExpiresAt when the refresh token stops working
 */
public record TokenPair(
    String accessToken,
    Instant accessTokenExpiresAt,
    String refreshToken,
    Instant refreshTokenExpiresAt) {

  /** Keeps the secrets out of logs and exception messages. */
  @Override
  public String toString() {
    return "TokenPair[accessTokenExpiresAt="
        + accessTokenExpiresAt
        + ", refreshTokenExpiresAt="
        + refreshTokenExpiresAt
        + "]";
  }
}
