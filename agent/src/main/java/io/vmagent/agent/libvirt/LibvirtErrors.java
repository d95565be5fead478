package io.vmagent.agent.libvirt;

import io.vmagent.protocol.ErrorCode;
import org.libvirt.Error;
import org.libvirt.LibvirtException;

/** Maps libvirt's error numbers onto the agent's closed set of error codes. */
final class LibvirtErrors {
  private LibvirtErrors() {}

  /** The error code for a libvirt failure on a connection that is still alive. */
  static ErrorCode codeOf(LibvirtException e) {
    Error error = e.getError();
    Error.ErrorNumber number = error == null ? null : error.getCode();
    if (number == null) {
      return ErrorCode.OPERATION_FAILED;
    }
    switch (number) {
      case VIR_ERR_NO_DOMAIN:
        return ErrorCode.VM_NOT_FOUND;
      case VIR_ERR_OPERATION_INVALID:
        return ErrorCode.INVALID_STATE;
      case VIR_ERR_INVALID_ARG:
      case VIR_ERR_XML_ERROR:
      case VIR_ERR_XML_DETAIL:
      case VIR_ERR_NO_DOMAIN_SNAPSHOT:
      case VIR_ERR_INVALID_DOMAIN_SNAPSHOT:
      case VIR_ERR_NO_STORAGE_VOL:
        return ErrorCode.INVALID_ARGUMENT;
      case VIR_ERR_NO_SUPPORT:
      case VIR_ERR_ARGUMENT_UNSUPPORTED:
      case VIR_ERR_OPERATION_UNSUPPORTED:
      case VIR_ERR_CONFIG_UNSUPPORTED:
        return ErrorCode.UNSUPPORTED;
      case VIR_ERR_OPERATION_TIMEOUT:
      case VIR_ERR_AGENT_UNRESPONSIVE:
        return ErrorCode.TIMEOUT;
      case VIR_ERR_NO_CONNECT:
      case VIR_ERR_INVALID_CONN:
      case VIR_ERR_AUTH_FAILED:
      case VIR_ERR_AUTH_UNAVAILABLE:
      case VIR_ERR_AUTH_CANCELLED:
        return ErrorCode.LIBVIRT_UNAVAILABLE;
      default:
        return ErrorCode.OPERATION_FAILED;
    }
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
    switch (error.getCode()) {
      case VIR_ERR_SYSTEM_ERROR:
      case VIR_ERR_RPC:
      case VIR_ERR_NO_CONNECT:
      case VIR_ERR_INVALID_CONN:
      case VIR_ERR_INTERNAL_ERROR:
        return true;
      default:
        return false;
    }
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
