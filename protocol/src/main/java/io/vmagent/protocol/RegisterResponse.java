package io.vmagent.protocol;

import java.time.Instant;

/**
 * The backend's answer to a registration: the agent id, its first pair of tokens and, for an agent
 * that sent its key, a client certificate for it.
 *
 * @param agentId the registered agent id
 * @param accessToken the short-lived access JWT
 * @param accessTokenExpiresAt when the access token stops working
 * @param refreshToken the one-use refresh token
 * @param refreshTokenExpiresAt when the refresh token stops working
 * @param protocolVersion the protocol version the backend speaks; absent from a version-1 backend
 * @param clientCertificate the PEM chain of a client certificate for the agent's key, or null
 * @param clientCertificateExpiresAt that certificate's notAfter, or null
 * @param serverTime the backend's clock when it answered; absent from an older backend
 * @param expiresIn seconds the access token lives from now on; absent from an older backend
 */
public record RegisterResponse(
    String agentId,
    String accessToken,
    Instant accessTokenExpiresAt,
    String refreshToken,
    Instant refreshTokenExpiresAt,
    Integer protocolVersion,
    String clientCertificate,
    Instant clientCertificateExpiresAt,
    Instant serverTime,
    Long expiresIn) {

  /** An answer without the backend's clock, as a protocol-2 backend gives it. */
  public RegisterResponse(
      String agentId,
      String accessToken,
      Instant accessTokenExpiresAt,
      String refreshToken,
      Instant refreshTokenExpiresAt,
      Integer protocolVersion,
      String clientCertificate,
      Instant clientCertificateExpiresAt) {
    this(
        agentId,
        accessToken,
        accessTokenExpiresAt,
        refreshToken,
        refreshTokenExpiresAt,
        protocolVersion,
        clientCertificate,
        clientCertificateExpiresAt,
        null,
        null);
  }

  /** A protocol-1 answer: tokens only. */
  public RegisterResponse(
      String agentId,
      String accessToken,
      Instant accessTokenExpiresAt,
      String refreshToken,
      Instant refreshTokenExpiresAt) {
    this(
        agentId,
        accessToken,
        accessTokenExpiresAt,
        refreshToken,
        refreshTokenExpiresAt,
        null,
        null,
        null);
  }

  /** Keeps the secrets out of logs and exception messages. */
  @Override
  public String toString() {
    return "RegisterResponse[agentId="
        + agentId
        + ", accessTokenExpiresAt="
        + accessTokenExpiresAt
        + ", refreshTokenExpiresAt="
        + refreshTokenExpiresAt
        + ", clientCertificateExpiresAt="
        + clientCertificateExpiresAt
        + "]";
  }
}
