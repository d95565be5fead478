package io.vmagent.protocol;

import java.time.Instant;

/**
 * A new access token and a new refresh token, the answer to a refresh.
 *
 * @param accessToken the short-lived access JWT
 * @param accessTokenExpiresAt when the access token stops working
 * @param refreshToken the next one-use refresh token; the one presented is now spent
 * @param refreshTokenExpiresAt when the refresh token stops working
 * @param serverTime the backend's clock when it answered; absent from an older backend
 * @param expiresIn seconds the access token lives from now on, so the agent counts its lifetime on
 *     its own clock; absent from an older backend
 */
public record TokenPair(
    String accessToken,
    Instant accessTokenExpiresAt,
    String refreshToken,
    Instant refreshTokenExpiresAt,
    Instant serverTime,
    Long expiresIn) {

  /** An answer without the backend's clock, as an older backend gives it. */
  public TokenPair(
      String accessToken,
      Instant accessTokenExpiresAt,
      String refreshToken,
      Instant refreshTokenExpiresAt) {
    this(accessToken, accessTokenExpiresAt, refreshToken, refreshTokenExpiresAt, null, null);
  }

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
