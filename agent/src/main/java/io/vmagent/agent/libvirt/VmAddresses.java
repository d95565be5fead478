package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** Result of {@code addresses}: the VM's interfaces, each with its MAC, network and addresses. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmAddresses(
    String operation, String vm, String uuid, VmState state, List<InterfaceInfo> interfaces)
    implements OperationOutput {}
