package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Result of {@code snapshot}: the action ({@code create, list, revert, delete}), the snapshot it
 * acted on, the VM's state before and after, and for {@code list} the snapshots.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotResult(
    String operation,
    String action,
    String vm,
    String uuid,
    String snapshot,
    VmState stateBefore,
    VmState stateAfter,
    boolean changed,
    String message,
    long durationMs,
    List<SnapshotInfo> snapshots)
    implements OperationOutput {}
