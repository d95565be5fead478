package io.vmagent.agent.cli;

import io.vmagent.agent.config.ConfigException;
import io.vmagent.agent.operation.OperationFailure;
import io.vmagent.protocol.ErrorCode;

/**
 * A command that ends with a message for the operator, one of the protocol's error codes and a
 * documented exit code. The message is what the text output says; {@link #detail()} is what the
 * JSON error carries next to the code.
 */
public final class CommandFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;
  private final ErrorCode code;
  private final String detail;

  private CommandFailure(
      int exitCode, ErrorCode code, String message, String detail, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
    this.code = code;
    this.detail = detail;
  }

  public CommandFailure(int exitCode, ErrorCode code, String message, Throwable cause) {
    this(exitCode, code, message, message, cause);
  }

  public CommandFailure(int exitCode, ErrorCode code, String message) {
    this(exitCode, code, message, null);
  }

  /** A VM operation's failure: the text starts with its code, the JSON carries the code apart. */
  static CommandFailure of(OperationFailure e) {
    int exitCode =
        switch (e.code()) {
          case LIBVIRT_UNAVAILABLE -> ExitCodes.UNAVAILABLE;
          case INVALID_ARGUMENT -> ExitCodes.USAGE;
          default -> ExitCodes.FAILED;
        };
    return new CommandFailure(
        exitCode, e.code(), e.code() + ": " + e.getMessage(), e.getMessage(), e);
  }

  /** Any exception a command ends with, as the failure the operator is told about. */
  static CommandFailure of(Exception e) {
    if (e instanceof CommandFailure failure) {
      return failure;
    }
    if (e instanceof ConfigException config) {
      return new CommandFailure(
          ExitCodes.CONFIG, ErrorCode.INVALID_ARGUMENT, config.getMessage(), config);
    }
    if (e instanceof OperationFailure operation) {
      return of(operation);
    }
    return new CommandFailure(
        ExitCodes.FAILED, ErrorCode.INTERNAL, "unexpected error: " + e, e.toString(), e);
  }

  public int exitCode() {
    return exitCode;
  }

  /** The protocol's error code for this failure. */
  public ErrorCode code() {
    return code;
  }

  /** The message without what the text output adds to it (such as the error code). */
  public String detail() {
    return detail;
  }
}
