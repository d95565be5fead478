package io.vmagent.backend.service;

import io.vmagent.protocol.OperationCapability;
import java.util.List;

/**
 * What an agent advertises it runs: the names of the versioned operations when it sent them
 * (protocol 3), else its list of names. Registration and heartbeats store it; queueing checks it.
 */
final class Capabilities {
  private Capabilities() {}

  /** The names an agent advertises: those of {@code operations} when present. */
  static List<String> names(List<String> capabilities, List<OperationCapability> operations) {
    return operations == null
        ? capabilities
        : operations.stream().map(OperationCapability::name).toList();
  }
}
