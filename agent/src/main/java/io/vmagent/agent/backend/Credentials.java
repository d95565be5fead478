package io.vmagent.agent.backend;

import java.time.Duration;
import java.time.Instant;

/**
 * What the agent holds after registering: its id and its current token pair. {@link #toString()}
 * leaves the tokens out. The tokens' lifetimes count from {@code obtainedAt} on the agent's own
 * clock; the backend's expiry times are kept for display only, unless an older backend gave no
 * lifetime.
 *
 * @param backendUrl the backend these credentials belong to; others are not used with them
 * @param agentId the registered agent id
 * @param accessToken the access JWT
 * @param accessTokenExpiresAt when the access token stops working, on the backend's clock
 * @param refreshToken the one-use refresh token
 * @param refreshTokenExpiresAt when the refresh token stops working, on the backend's clock
 * @param obtainedAt when this pair was asked for, on the agent's clock
 * @param accessTokenLifetimeSeconds how long the access token lives from {@code obtainedAt} (the
 *     answer's {@code expires_in}); null from an older backend
 * @param refreshTokenLifetimeSeconds how long the refresh token lives from {@code obtainedAt}; null
 *     from an older backend
 */
public record Credentials(
    String backendUrl,
    String agentId,
    String accessToken,
    Instant accessTokenExpiresAt,
    String refreshToken,
    Instant refreshTokenExpiresAt,
    Instant obtainedAt,
    Long accessTokenLifetimeSeconds,
    Long refreshTokenLifetimeSeconds) {

  /** Shortest head start taken before the access token expires. */
  static final Duration MIN_REFRESH_MARGIN = Duration.ofSeconds(5);

  /** Credentials from an older backend, whose lifetimes are judged by its expiry times. */
  public Credentials(
      String backendUrl,
      String agentId,
      String accessToken,
      Instant accessTokenExpiresAt,
      String refreshToken,
      Instant refreshTokenExpiresAt,
      Instant obtainedAt) {
    this(
        backendUrl,
        agentId,
        accessToken,
        accessTokenExpiresAt,
        refreshToken,
        refreshTokenExpiresAt,
        obtainedAt,
        null,
        null);
  }

  /**
   * How long the access token lives from {@code obtainedAt}: the backend's {@code expires_in}, or
   * for an older backend its expiry time less {@code obtainedAt}.
   */
  public Duration accessTokenLifetime() {
    return accessTokenLifetimeSeconds != null
        ? Duration.ofSeconds(accessTokenLifetimeSeconds)
        : Duration.between(obtainedAt, accessTokenExpiresAt);
  }

  /** How long the refresh token lives from {@code obtainedAt} (as {@link #accessTokenLifetime}). */
  public Duration refreshTokenLifetime() {
    return refreshTokenLifetimeSeconds != null
        ? Duration.ofSeconds(refreshTokenLifetimeSeconds)
        : Duration.between(obtainedAt, refreshTokenExpiresAt);
  }

  /**
   * How long after {@code obtainedAt} the access token is due for a refresh: at the last fifth of
   * its lifetime (at least {@link #MIN_REFRESH_MARGIN} before its end).
   */
  public Duration accessTokenRefreshAfter() {
    Duration lifetime = accessTokenLifetime();
    Duration margin = lifetime.dividedBy(5);
    if (margin.compareTo(MIN_REFRESH_MARGIN) < 0) {
      margin = MIN_REFRESH_MARGIN;
    }
    Duration after = lifetime.minus(margin);
    return after.isNegative() ? Duration.ZERO : after;
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
