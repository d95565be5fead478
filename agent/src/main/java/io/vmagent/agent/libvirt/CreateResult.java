package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Result of {@code define} and {@code create}: the VM, its state before ({@code undefined}) and
 * after, whether anything changed (the same request again changes nothing), how ({@code define},
 * {@code define_and_start} or {@code none}), and for {@code create} the volumes it made.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CreateResult(
    String operation,
    String vm,
    String uuid,
    VmState stateBefore,
    VmState stateAfter,
    boolean changed,
    String method,
    String message,
    long durationMs,
    List<String> volumes)
    implements OperationOutput {}
