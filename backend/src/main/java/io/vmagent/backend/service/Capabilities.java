package io.vmagent.backend.service;

import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.OperationCapability;
import io.vmagent.protocol.text.Printable;
import java.util.List;

/**
 * What an agent advertises it runs: the names of the versioned operations when it sent them
 * (protocol 3), else its list of names. Queueing checks it, so an operation the agent does not run
 * is refused at once instead of failing on the agent later.
 */
final class Capabilities {
  private Capabilities() {}

  /** The names an agent advertises: those of {@code operations} when present. */
  static List<String> names(List<String> capabilities, List<OperationCapability> operations) {
    return operations == null
        ? capabilities
        : operations.stream().map(OperationCapability::name).toList();
  }

  /**
   * Refuses {@code operation} for an agent that does not advertise it; an agent that advertised
   * nothing is not checked.
   *
   * @throws ApiException {@code UNSUPPORTED_OPERATION}, naming what the agent runs
   */
  static void check(String agentId, List<String> advertised, String operation) {
    if (advertised.isEmpty() || advertised.contains(operation)) {
      return;
    }
    throw new ApiException(
        ErrorCode.UNSUPPORTED_OPERATION,
        "agent "
            + agentId
            + " does not run '"
            + Printable.escape(operation)
            + "'; it runs "
            + String.join(", ", advertised));
  }
}
