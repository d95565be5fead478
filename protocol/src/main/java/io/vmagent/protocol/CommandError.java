package io.vmagent.protocol;

/**
 * Why a command failed.
 *
 * @param code the stable error code
 * @param message a sentence for the operator
 */
public record CommandError(ErrorCode code, String message) {

  /** An error with the code's own message. */
  public static CommandError of(ErrorCode code) {
    return new CommandError(code, code.message());
  }
}
