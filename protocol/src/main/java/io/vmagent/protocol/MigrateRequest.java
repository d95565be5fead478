package io.vmagent.protocol;

import java.util.Map;

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
  /** Normalises absent options to an empty map. */
  public MigrateRequest {
    options = Copies.map(options);
  }
}
