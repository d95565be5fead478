package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * One reading of a migration job from libvirt's job statistics; a figure libvirt did not give is
 * null.
 *
 * @param elapsedMs time since the job started
 * @param dataTotalBytes memory (and disks, when copied) to move
 * @param dataProcessedBytes moved so far
 * @param dataRemainingBytes still to move
 * @param memoryIterations passes over the guest's memory (the first copies it all, the next ones
 *     what the guest changed meanwhile)
 * @param dirtyPagesPerSecond how fast the guest changes its memory
 * @param downtimeMs while running, QEMU's expected downtime; once completed, the actual one
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MigrationProgress(
    Long elapsedMs,
    Long dataTotalBytes,
    Long dataProcessedBytes,
    Long dataRemainingBytes,
    Long memoryIterations,
    Long dirtyPagesPerSecond,
    Long downtimeMs) {

  /** The figures of libvirt's job statistics ({@code DomainProbe.jobStats}). */
  static MigrationProgress of(Map<String, Long> stats) {
    return new MigrationProgress(
        stats.get("time_elapsed"),
        stats.get("data_total"),
        stats.get("data_processed"),
        stats.get("data_remaining"),
        stats.get("memory_iteration"),
        stats.get("memory_dirty_rate"),
        stats.get("downtime"));
  }

  /** A line for the log. */
  String describe() {
    return String.format(
        "%s of %s MiB moved, %s MiB left, iteration %s, %s ms elapsed",
        mib(dataProcessedBytes),
        mib(dataTotalBytes),
        mib(dataRemainingBytes),
        memoryIterations == null ? "?" : memoryIterations,
        elapsedMs == null ? "?" : elapsedMs);
  }

  private static String mib(Long bytes) {
    return bytes == null ? "?" : String.valueOf(bytes >> 20);
  }
}
