package io.vmagent.protocol;

import java.util.Map;

/**
 * An operator's request to queue a command, sent to {@link ProtocolPaths#OPERATOR_COMMANDS}.
 *
 * @param agentId the agent that must run it
 * @param operation the operation, e.g. {@code start}
 * @param params its parameters; the VM is {@link Command#PARAM_VM}
 * @param deadlineSeconds seconds from now by which the agent must have started it; null means the
 *     backend's default (300)
 */
public record QueueCommandRequest(
    String agentId, String operation, Map<String, String> params, Integer deadlineSeconds) {

  /** Normalises absent parameters to an empty map. */
  public QueueCommandRequest {
    params = Copies.map(params);
  }
}
