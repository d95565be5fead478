package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Result of {@code migrate}: how the VM moved ({@code live} or {@code offline}; {@code shared} or
 * {@code copied} storage), its state before (here) and after (on the destination), whether this
 * host still holds a definition of it, how long it took, and libvirt's figures of the completed job
 * (its downtime, total time, data moved, memory iterations).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationResult(
    String operation,
    String vm,
    String uuid,
    String destinationUri,
    String mode,
    String storage,
    VmState stateBefore,
    VmState destinationState,
    VmState sourceStateAfter,
    long durationMs,
    MigrationProgress completed,
    int progressReadings,
    List<String> warnings) {}
