package io.vmagent.agent.libvirt;

import io.vmagent.protocol.ErrorCode;
import org.libvirt.Error;
import org.libvirt.LibvirtException;

/** Maps libvirt's error numbers onto the agent's closed set of error codes. */
final class LibvirtErrors {
  private LibvirtErrors() {}

  /** The error code for a libvirt failure on a connection that is still alive. */
  static ErrorCode codeOf(LibvirtException e) {
    return codeOf(e.getError());
  }

  /** The error code for libvirt's {@code error}, which may be null. */
  static ErrorCode codeOf(Error error) {
    Error.ErrorNumber number = error == null ? null : error.getCode();
    if (number == null) {
      return ErrorCode.OPERATION_FAILED;
    }
    return switch (number) {
      case VIR_ERR_NO_DOMAIN -> ErrorCode.VM_NOT_FOUND;
      case VIR_ERR_OPERATION_INVALID -> ErrorCode.INVALID_STATE;
      case VIR_ERR_INVALID_ARG,
          VIR_ERR_XML_ERROR,
          VIR_ERR_XML_DETAIL,
          VIR_ERR_NO_DOMAIN_SNAPSHOT,
          VIR_ERR_INVALID_DOMAIN_SNAPSHOT,
          VIR_ERR_NO_STORAGE_VOL ->
          ErrorCode.INVALID_ARGUMENT;
      case VIR_ERR_NO_SUPPORT,
          VIR_ERR_ARGUMENT_UNSUPPORTED,
          VIR_ERR_OPERATION_UNSUPPORTED,
          VIR_ERR_CONFIG_UNSUPPORTED ->
          ErrorCode.UNSUPPORTED;
      case VIR_ERR_OPERATION_TIMEOUT, VIR_ERR_AGENT_UNRESPONSIVE -> ErrorCode.TIMEOUT;
      case VIR_ERR_NO_CONNECT,
          VIR_ERR_INVALID_CONN,
          VIR_ERR_AUTH_FAILED,
          VIR_ERR_AUTH_UNAVAILABLE,
          VIR_ERR_AUTH_CANCELLED ->
          ErrorCode.LIBVIRT_UNAVAILABLE;
      default -> ErrorCode.OPERATION_FAILED;
    };
  }

  /**
   * Whether the failure may mean the connection itself broke (daemon gone, socket closed), so that
   * the caller should check the connection's liveness before blaming the operation.
   */
  static boolean mayBeConnectionLoss(LibvirtException e) {
    Error error = e.getError();
    if (error == null || error.getCode() == null) {
      return true;
    }
    return switch (error.getCode()) {
      case VIR_ERR_SYSTEM_ERROR,
          VIR_ERR_RPC,
          VIR_ERR_NO_CONNECT,
          VIR_ERR_INVALID_CONN,
          VIR_ERR_INTERNAL_ERROR ->
          true;
      default -> false;
    };
  }

  /** libvirt's own message, without a trailing newline. */
  static String messageOf(LibvirtException e) {
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      Error error = e.getError();
      return error == null ? "libvirt reported an error without a message" : error.toString();
    }
    return message.strip();
  }

  /** The translated exception for a libvirt failure on a live connection. */
  static VmOperationException translate(String what, LibvirtException e) {
    return new VmOperationException(codeOf(e), what + ": " + messageOf(e), e);
  }
}
