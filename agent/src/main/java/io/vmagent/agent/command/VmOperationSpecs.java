package io.vmagent.agent.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.agent.libvirt.VmOperations;
import java.util.List;
import java.util.Set;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The VM operations of the spec as {@link OperationSpec}s: each runs {@link
 * VmOperations#execute} (idempotent, serialized per VM, every libvirt call under a deadline; see
 * docs/operations.md) and sends its result record as the command's {@code result} object.
 */
public final class VmOperationSpecs {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private VmOperationSpecs() {}

  /** Every VM operation over {@code operations}, with the parameters each accepts. */
  public static List<OperationSpec> create(VmOperations operations) {
    Set<String> stop = Set.of("force", "timeout_seconds", "force_after_timeout");
    return List.of(
        OperationSpec.hostWide("list", Set.of(), p -> run(operations, "list", p)),
        OperationSpec.onVm("info", Set.of("include_xml"), p -> run(operations, "info", p)),
        OperationSpec.onVm("start", Set.of(), p -> run(operations, "start", p)),
        OperationSpec.onVm("stop", stop, p -> run(operations, "stop", p)),
        OperationSpec.onVm("restart", stop, p -> run(operations, "restart", p)),
        OperationSpec.onVm("pause", Set.of(), p -> run(operations, "pause", p)),
        OperationSpec.onVm("resume", Set.of(), p -> run(operations, "resume", p)),
        OperationSpec.onVm("delete", Set.of("remove_storage"), p -> run(operations, "delete", p)),
        new OperationSpec(
            "snapshot",
            Set.of("vm", "action"),
            Set.of("name", "description", "with_memory"),
            p -> run(operations, "snapshot", p)),
        OperationSpec.hostWide("health_check", Set.of(), p -> run(operations, "health_check", p)));
  }

  /**
   * Runs the operation; its result goes through JSON text so that numbers have the node types a
   * parser gives (a result answered again from the journal must equal the original).
   */
  private static ObjectNode run(
      VmOperations operations, String name, java.util.Map<String, String> params)
      throws JsonProcessingException {
    return (ObjectNode) MAPPER.readTree(MAPPER.writeValueAsString(operations.execute(name, params)));
  }

  /** A domain's state as a lower-case word, for tests that look at a VM directly. */
  static String state(Domain domain) throws LibvirtException {
    String name = domain.getInfo().state.name();
    return name.startsWith("VIR_DOMAIN_")
        ? name.substring("VIR_DOMAIN_".length()).toLowerCase(java.util.Locale.ROOT)
        : "nostate";
  }
}
