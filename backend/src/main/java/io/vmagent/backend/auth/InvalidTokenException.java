package io.vmagent.backend.auth;

/** An access token that does not verify; the message says why and never holds the token. */
public final class InvalidTokenException extends Exception {
  private static final long serialVersionUID = 1L;

  InvalidTokenException(String reason) {
    super(reason, null, false, false);
  }
}
