package io.vmagent.protocol;

import java.time.Instant;

/**
 * A migration the backend orchestrates, as operators see it.
 *
 * @param migrationId its id
 * @param vm the VM, as the operator named it
 * @param sourceAgent the agent whose host held the VM
 * @param destinationAgent the agent whose host it moves to
 * @param state {@code inspecting}, {@code preparing}, {@code migrating}, {@code checking} (perhaps
 *     {@code cleaning}: removing a paused copy the source kept), then {@code succeeded}, {@code
 *     failed} or {@code conflict}
 * @param holder the agent whose host holds the VM, from both agents' reports once checked; null
 *     before
 * @param message what happened, in one sentence, once it ended
 * @param createdAt when the operator asked
 * @param updatedAt when it last moved on
 */
public record MigrationView(
    String migrationId,
    String vm,
    String sourceAgent,
    String destinationAgent,
    String state,
    String holder,
    String message,
    Instant createdAt,
    Instant updatedAt) {

  /** Whether it has no steps left to take. */
  public boolean finished() {
    return state.equals("succeeded") || state.equals("failed") || state.equals("conflict");
  }
}
