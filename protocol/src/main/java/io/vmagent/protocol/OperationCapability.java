package io.vmagent.protocol;

import java.util.Objects;

/**
 * One operation an agent runs, with the version of its parameter set (protocol 3).
 *
 * @param name the operation's wire name, e.g. {@code set_resources}
 * @param version the version of the parameters it takes; 1 for the first
 */
public record OperationCapability(String name, int version) {
  public OperationCapability {
    Objects.requireNonNull(name, "name == null");
  }
}
