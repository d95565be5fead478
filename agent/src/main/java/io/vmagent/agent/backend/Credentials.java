package io.vmagent.agent.backend;

import java.time.Duration;
import java.time.Instant;

/**
 * What the agent holds after registering: its id and its current token pair. {@link #toString()}
 * leaves the tokens out.
 *
 * @param backendUrl the backend these credentials belong to; others are not used with them
 * @param agentId the registered agent id
 * @param accessToken the access JWT
 * @param accessTokenExpiresAt when the access token stops working
 * @param refreshToken the one-use refresh token
 * @param refreshTokenExpiresAt when the refresh token stops working
 * @param obtainedAt when this pair was received, to refresh at a fraction of its lifetime
 */
public record Credentials(
    String backendUrl,
    String agentId,
    String accessToken,
    Instant accessTokenExpiresAt,
    String refreshToken,
    Instant refreshTokenExpiresAt,
    Instant obtainedAt) {

  /** Shortest head start taken before the access token expires. */
  static final Duration MIN_REFRESH_MARGIN = Duration.ofSeconds(5);

  /**
   * Whether the access token should be refreshed now: within the last fifth of its lifetime (at
   * least {@link #MIN_REFRESH_MARGIN} before expiry).
   */
  public boolean accessTokenDue(Instant now) {
    return !now.isBefore(accessTokenRefreshAt());
  }

  /** From when on the access token is due for a refresh (see {@link #accessTokenDue}). */
  public Instant accessTokenRefreshAt() {
    Duration lifetime = Duration.between(obtainedAt, accessTokenExpiresAt);
    Duration margin = lifetime.dividedBy(5);
    if (margin.compareTo(MIN_REFRESH_MARGIN) < 0) {
      margin = MIN_REFRESH_MARGIN;
    }
    return accessTokenExpiresAt.minus(margin);
  }

  /** Whether the refresh token can still be used. */
  public boolean refreshTokenValid(Instant now) {
    return now.isBefore(refreshTokenExpiresAt);
  }

  @Override
  public String toString() {
    return "Credentials[agentId="
        + agentId
        + ", backendUrl="
        + backendUrl
        + ", accessTokenExpiresAt="
        + accessTokenExpiresAt
        + ", refreshTokenExpiresAt="
        + refreshTokenExpiresAt
        + "]";
  }
}
