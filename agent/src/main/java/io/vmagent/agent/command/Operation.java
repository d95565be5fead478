package io.vmagent.agent.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** One operation the agent can run for a command, given its already-checked parameters. */
@FunctionalInterface
public interface Operation {
  /**
   * Runs the operation.
   *
   * @return the operation's output, sent as the result's {@code result} object
   * @throws OperationException or {@code io.vmagent.agent.libvirt.VmOperationException} with the
   *     error code to report; any other exception is reported as {@code INTERNAL}
   */
  ObjectNode run(Map<String, String> params) throws Exception;
}
