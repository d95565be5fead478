package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Result of {@code info}: everything {@code list} reports plus disks, interfaces, snapshots, uptime
 * (seconds; null when the VM is not running or the start time is unknown, see {@code
 * uptime_source}) and, on request, the domain XML.
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
    String startedAt,
    String xml)
    implements OperationOutput {}
