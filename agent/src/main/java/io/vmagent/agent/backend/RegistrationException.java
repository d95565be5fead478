package io.vmagent.agent.backend;

import java.io.IOException;

/**
 * The agent has no usable credentials and cannot get any by itself: no bootstrap token,
 * auto-registration off, or the backend refused the bootstrap token.
 */
public final class RegistrationException extends IOException {
  private static final long serialVersionUID = 1L;

  public RegistrationException(String message) {
    super(message);
  }

  public RegistrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
