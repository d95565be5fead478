package io.vmagent.protocol;

/**
 * The one closed set of error codes shared by agent, protocol and backend; each code has a stable
 * name on the wire, the HTTP status the backend answers with, and one clear message for operators.
 */
public enum ErrorCode {
  // VM operations (agent side).
  VM_NOT_FOUND(404, "The virtual machine does not exist on this host."),
  INVALID_STATE(409, "The virtual machine is not in a state that allows this operation."),
  INVALID_ARGUMENT(400, "A parameter is missing or has a value that is not allowed."),
  LIBVIRT_UNAVAILABLE(503, "libvirt cannot be reached on this host."),
  TIMEOUT(504, "The operation did not finish before its deadline."),
  UNSUPPORTED(501, "The hypervisor driver does not support this operation."),
  OPERATION_FAILED(500, "The hypervisor refused or failed the operation."),
  UNKNOWN_OPERATION(400, "The operation is not one the agent knows."),
  DEADLINE_EXCEEDED(410, "The command reached the agent after its deadline and was not started."),
  CANCELLED(
      409,
      "An operator cancelled the command while it waited; the agent stopped waiting and left the"
          + " virtual machine as it was."),

  // Protocol and backend.
  BAD_REQUEST(400, "The request is malformed or does not follow the protocol."),
  UNAUTHORIZED(401, "The request carries no valid credentials."),
  FORBIDDEN(403, "The credentials do not allow this request."),
  NOT_FOUND(404, "The resource does not exist."),
  CONFLICT(409, "The request conflicts with the current state of the resource."),
  UNSUPPORTED_OPERATION(
      409,
      "The agent does not advertise this operation: it runs an older version, or the operation"
          + " is misspelt. Upgrade the agent or pick one of the operations it lists."),
  AGENT_ID_IN_USE(
      409,
      "The agent id is bound to another key. Register with that key, pick another AGENT_ID, or"
          + " release the id with 'vm-backend agents reset ID' if the host lost its key."),
  AGENT_REVOKED(
      403,
      "An operator revoked this agent; it cannot register again under this id. Ask an operator,"
          + " or give the host another AGENT_ID and a new bootstrap token."),
  AGENT_DRAINING(
      409,
      "The agent is being drained: it takes only the migrations that move its VMs off. End the"
          + " drain with 'vm-backend agents drain ID --end' first."),
  VM_MIGRATING(
      409,
      "A migration of this VM is under way: until it ends, only info and migrate_abort reach the"
          + " VM. Wait for the migration the message names, or abort it ('op migrate_abort VM')."),
  PAYLOAD_TOO_LARGE(413, "The request body is larger than allowed."),
  UNSUPPORTED_MEDIA_TYPE(415, "The request body must be application/json."),
  RATE_LIMITED(429, "Too many requests; retry after the time given."),
  BACKEND_UNAVAILABLE(503, "The backend cannot be reached or is not ready."),
  INTERNAL(500, "An unexpected error occurred; the log has the details.");

  private final int httpStatus;
  private final String message;

  ErrorCode(int httpStatus, String message) {
    this.httpStatus = httpStatus;
    this.message = message;
  }

  /** The HTTP status a backend answers with when it reports this code. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The operator-facing sentence describing this code. */
  public String message() {
    return message;
  }

  /** The code with this wire name, or {@link #INTERNAL} for a name this version does not know. */
  public static ErrorCode fromWire(String name) {
    if (name != null) {
      for (ErrorCode code : values()) {
        if (code.name().equals(name)) {
          return code;
        }
      }
    }
    return INTERNAL;
  }
}
