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
    implements OperationOutput {

  /** Assembles the results of one operation, timing it from the builder's creation. */
  static final class Builder {
    private final String operation;
    private final VmTarget target;
    private final long startedNanos = System.nanoTime();

    Builder(String operation, VmTarget target) {
      this.operation = operation;
      this.target = target;
    }

    long elapsedMillis() {
      return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    LifecycleResult unchanged(VmState state, String message) {
      return result(state, state, false, "none", null, message);
    }

    /**
     * An operation cancelled while it waited: {@code changed} says whether the state moved between
     * {@code before} and {@code after}; nothing was forced.
     */
    LifecycleResult cancelled(VmState before, VmState after, String method) {
      return result(
          before,
          after,
          before != after,
          method,
          false,
          "cancelled while waiting for the guest; left as it is");
    }

    LifecycleResult changed(
        VmState before, VmState after, String method, Boolean forced, String message) {
      return result(before, after, true, method, forced, message);
    }

    private LifecycleResult result(
        VmState before,
        VmState after,
        boolean changed,
        String method,
        Boolean forced,
        String message) {
      return new LifecycleResult(
          operation,
          target.name(),
          target.uuid(),
          before,
          after,
          changed,
          method,
          forced,
          message,
          elapsedMillis(),
          null,
          null,
          null);
    }
  }
}
