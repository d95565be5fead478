package io.vmagent.protocol;

/**
 * A refresh token presented to {@link ProtocolPaths#REFRESH}.
 *
 * @param refreshToken the refresh token from the last register or refresh
 * @param publicKey the agent's public key (protocol 2), so an agent registered before keys existed
 *     is bound to one at its next refresh; ignored once a key is bound
 */
public record RefreshRequest(String refreshToken, String publicKey) {

  /** A protocol-1 refresh. */
  public RefreshRequest(String refreshToken) {
    this(refreshToken, null);
  }

  /** Keeps the secret out of logs and exception messages. */
  @Override
  public String toString() {
    return "RefreshRequest[refreshToken=***]";
  }
}
