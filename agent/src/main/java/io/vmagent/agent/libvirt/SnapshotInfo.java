package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One snapshot of a VM: the VM's state when it was taken ({@code running}, {@code shut_off}, ...),
 * its creation time (ISO-8601), parent, whether it is the current one and holds memory.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotInfo(
    String name,
    String description,
    String state,
    String creationTime,
    String parent,
    boolean current,
    boolean hasMemory) {}
