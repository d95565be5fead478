package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Result of {@code info}: everything {@code list} reports plus disks, interfaces, snapshots, uptime
 * (seconds since the VM's last start, null when it is not running; where the start time came from
 * in {@code uptime_source}, {@code uptime_estimated} when it is only the agent's first sight, see
 * {@link UptimeTracker}) and, on request, the domain XML.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmDetails(
    String operation,
    VmSummary vm,
    String osType,
    boolean hasManagedSave,
    List<DiskInfo> disks,
    List<InterfaceInfo> interfaces,
    List<SnapshotInfo> snapshots,
    String currentSnapshot,
    Long uptimeSeconds,
    String uptimeSource,
    Boolean uptimeEstimated,
    String startedAt,
    String xml)
    implements OperationOutput {}
