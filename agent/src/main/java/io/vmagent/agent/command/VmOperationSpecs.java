package io.vmagent.agent.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.agent.libvirt.VmOperations;
import io.vmagent.protocol.ProtocolJson;
import java.util.List;

/**
 * The VM operations of the spec ({@link VmOperations#OPERATIONS}) as {@link OperationSpec}s: each
 * delegates to {@link VmOperations#execute}, which checks its own parameters strictly and throws
 * {@code VmOperationException} with the stable error code.
 */
public final class VmOperationSpecs {
  private static final ObjectMapper JSON = ProtocolJson.tolerantMapper();

  private VmOperationSpecs() {}

  /** One spec per VM operation, sorted by name. */
  public static List<OperationSpec> create(VmOperations operations) {
    return VmOperations.OPERATIONS.stream()
        .sorted()
        .map(
            name ->
                OperationSpec.selfChecked(
                    name, params -> JSON.<ObjectNode>valueToTree(operations.execute(name, params))))
        .toList();
  }
}
