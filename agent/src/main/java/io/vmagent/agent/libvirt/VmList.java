package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** Result of {@code list}: every VM defined or running on the host, sorted by name. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmList(String operation, int count, List<VmSummary> vms) implements OperationOutput {
  public VmList(List<VmSummary> vms) {
    this("list", vms.size(), List.copyOf(vms));
  }
}
