package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Result of {@code migrate_prepare} on a destination that can take the VM: each check with its
 * outcome ({@code ok}, or {@code skipped} with the reason). A destination that cannot take it
 * answers with a failure instead, naming every check that failed.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PrepareResult(String operation, String vm, String uuid, List<Check> checks) {
  /**
   * One check: {@code name_uuid}, {@code memory}, {@code domain_type}, {@code cpu}, {@code disks}.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Check(String name, String outcome, String detail) {}
}
