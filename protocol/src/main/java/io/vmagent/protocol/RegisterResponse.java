package io.vmagent.protocol;

import java.time.Instant;

/**
 * The backend's answer to a registration: the agent id and its first pair of tokens.
 *
 * @param agentId the registered agent id
 * @param accessToken the short-lived access JWT
 * @param accessTokenExpiresAt when the access token stops working
 * @param refreshToken the one-use refresh token
 * @param refreshTokenExpiresAt when the refresh token stops working
 */
public record RegisterResponse(
    String agentId,
    String accessToken,
    Instant accessTokenExpiresAt,
    String refreshToken,
    Instant refreshTokenExpiresAt) {

  /** Keeps the secrets out of logs and exception messages. */
  @Override
  public String toString() {
    return "RegisterResponse[agentId="
        + agentId
        + ", accessTokenExpiresAt="
        + accessTokenExpiresAt
        + ", refreshTokenExpiresAt="
        + refreshTokenExpiresAt
        + "]";
  }
}
