package io.vmagent.protocol;

import java.time.Instant;
import java.util.List;

/**
 * An agent's drain as operators see it: its VMs' moves, in the order they start.
 *
 * @param agentId the draining agent
 * @param to the agent every VM moves to; null when each is picked by free memory
 * @param parallel how many migrations run at once
 * @param startedAt when the operator began the drain
 * @param startedBy the name in the client certificate of the operator who began it; null when the
 *     operator token came without one
 * @param done whether every move ended (the drain stays on until the operator ends it)
 * @param moves one per VM that was running when the drain began
 */
public record DrainView(
    String agentId,
    String to,
    int parallel,
    Instant startedAt,
    String startedBy,
    boolean done,
    List<DrainMove> moves) {

  /** Copies the moves. */
  public DrainView {
    moves = List.copyOf(moves);
  }
}
