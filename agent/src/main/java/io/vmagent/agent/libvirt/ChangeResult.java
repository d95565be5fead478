package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Result of {@code set_autostart}, {@code set_resources}, {@code attach_disk} and {@code
 * detach_disk}: the VM's state before and after, whether anything changed, where the change was
 * made ({@code method}: {@code none}, {@code live}, {@code config} or {@code live_and_config}), the
 * settings it touched before and after, and whether part of it waits for the VM's next start.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChangeResult(
    String operation,
    String vm,
    String uuid,
    VmState stateBefore,
    VmState stateAfter,
    boolean changed,
    String method,
    String message,
    long durationMs,
    Settings before,
    Settings after,
    Boolean appliesAtNextStart)
    implements OperationOutput {

  /**
   * The settings an operation touches; only those it touches are set. {@code vcpus}, {@code
   * memoryKib} and {@code disks} are the persistent configuration's, the {@code live} ones the
   * running VM's.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Settings(
      Boolean autostart,
      Integer vcpus,
      Long memoryKib,
      Integer liveVcpus,
      Long liveMemoryKib,
      List<String> disks,
      List<String> liveDisks) {

    static Settings autostart(boolean on) {
      return new Settings(on, null, null, null, null, null, null);
    }

    static Settings resources(Integer vcpus, Long memoryKib, Integer liveVcpus, Long liveKib) {
      return new Settings(null, vcpus, memoryKib, liveVcpus, liveKib, null, null);
    }

    static Settings disks(List<String> config, List<String> live) {
      return new Settings(null, null, null, null, null, config, live);
    }
  }

  /** Assembles the result of one change, timing it from the builder's creation. */
  static final class Builder {
    private final String operation;
    private final VmTarget target;
    private final VmState before;
    private final long startedNanos = System.nanoTime();

    Builder(String operation, VmTarget target, VmState before) {
      this.operation = operation;
      this.target = target;
      this.before = before;
    }

    ChangeResult unchanged(Settings settings, String message) {
      return new ChangeResult(
          operation,
          target.name(),
          target.uuid(),
          before,
          before,
          false,
          "none",
          message,
          elapsed(),
          settings,
          settings,
          null);
    }

    ChangeResult changed(
        VmState after,
        String method,
        String message,
        Settings was,
        Settings now,
        Boolean appliesAtNextStart) {
      return new ChangeResult(
          operation,
          target.name(),
          target.uuid(),
          before,
          after,
          true,
          method,
          message,
          elapsed(),
          was,
          now,
          appliesAtNextStart);
    }

    private long elapsed() {
      return (System.nanoTime() - startedNanos) / 1_000_000;
    }
  }
}
