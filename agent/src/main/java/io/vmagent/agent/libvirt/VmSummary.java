package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** What {@code list} reports for each VM; memory in KiB. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VmSummary(
    String name,
    String uuid,
    Integer id,
    VmState state,
    String stateReason,
    int vcpus,
    long maxMemoryKib,
    long memoryKib,
    boolean persistent,
    boolean autostart) {}
