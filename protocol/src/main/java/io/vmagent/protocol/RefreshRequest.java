package io.vmagent.protocol;

/**
 * A refresh token presented to {@link ProtocolPaths#REFRESH}.
 *
 * @param refreshToken the refresh token from the last register or refresh
 */
public record RefreshRequest(String refreshToken) {

  /** Keeps the secret out of logs and exception messages. */
  @Override
  public String toString() {
    return "RefreshRequest[refreshToken=***]";
  }
}
