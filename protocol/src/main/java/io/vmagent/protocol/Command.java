package io.vmagent.protocol;

import java.time.Instant;
import java.util.Map;

/**
 * A command leased to an agent by {@link ProtocolPaths#COMMANDS}.
 *
 * @param id the command id; a result is accepted once per id
 * @param operation the operation to run, e.g. {@code start}
 * @param params the operation's parameters; the VM is {@link #PARAM_VM}
 * @param deadline the agent must not start the command after this instant
 * @param leaseExpiresAt without a result by then, the command is delivered again
 * @param delivery 1 on first delivery, then 2, 3... on redelivery
 * @param createdAt when the operator queued it
 */
public record Command(
    String id,
    String operation,
    Map<String, String> params,
    Instant deadline,
    Instant leaseExpiresAt,
    int delivery,
    Instant createdAt) {

  /** The parameter naming the VM a command acts on. */
  public static final String PARAM_VM = "vm";

  /** Normalises absent parameters to an empty map. */
  public Command {
    params = Copies.map(params);
  }

  /** The VM this command acts on, or null for host-wide operations such as {@code list}. */
  public String vm() {
    return params.get(PARAM_VM);
  }
}
