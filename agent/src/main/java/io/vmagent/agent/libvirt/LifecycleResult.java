package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Result of {@code start, stop, restart, pause, resume, delete}: the state before and after,
 * whether anything changed, how it was done ({@code method}: for example {@code acpi_shutdown},
 * {@code destroy}, {@code reboot}, {@code destroy_and_start}), whether force was needed, and for
 * {@code delete} the storage volumes removed and the disks kept.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LifecycleResult(
    String operation,
    String vm,
    String uuid,
    VmState stateBefore,
    VmState stateAfter,
    boolean changed,
    String method,
    Boolean forced,
    String message,
    long durationMs,
    List<String> removedVolumes,
    List<String> keptDisks,
    List<String> storageErrors)
    implements OperationOutput {}
