package io.vmagent.protocol;

import java.util.Map;
import java.util.Set;

/**
 * An operator's request to move a VM to another agent's host, sent to {@link
 * ProtocolPaths#OPERATOR_MIGRATIONS}.
 *
 * @param vm the VM, its name or UUID on the source
 * @param sourceAgent the agent whose host holds it
 * @param destinationAgent the agent whose host it moves to
 * @param options {@code migrate} parameters passed to the source ({@code live}, {@code
 *     copy_storage}, {@code bandwidth_mib}, {@code max_downtime_ms}, {@code auto_converge}, {@code
 *     deadline_seconds}, {@code unsafe})
 */
public record MigrateRequest(
    String vm, String sourceAgent, String destinationAgent, Map<String, String> options) {
  /** The {@code migrate} parameters an operator chooses; the backend fills in the others. */
  public static final Set<String> OPTIONS =
      Set.of(
          "live",
          "copy_storage",
          "bandwidth_mib",
          "max_downtime_ms",
          "auto_converge",
          "deadline_seconds",
          "unsafe");

  /** Normalises absent options to an empty map. */
  public MigrateRequest {
    options = Copies.map(options);
  }
}
