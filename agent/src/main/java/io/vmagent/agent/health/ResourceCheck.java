package io.vmagent.agent.health;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * One system resource held against its threshold: the figure, the limit and, when the limit is
 * passed, the degradation reason the heartbeat carries ({@code code: message}).
 *
 * @param check what is measured
 * @param subject what it is measured on: a path, a storage pool, {@code memory}, {@code swap},
 *     {@code load}
 * @param status whether the figure is within its threshold
 * @param value the figure, in percent or, for the load, per core; null when unknown
 * @param threshold the limit the figure is held against
 * @param message the figure and the limit in words, or why the figure is unknown
 * @param reason {@code code: message} when the threshold is passed, else null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ResourceCheck(
    Check check,
    String subject,
    Status status,
    Double value,
    double threshold,
    String message,
    String reason) {

  /** The resources checked, each with the code of its degradation reason. */
  public enum Check {
    DISK_SPACE("disk_space_low"),
    DISK_INODES("disk_inodes_low"),
    MEMORY_AVAILABLE("memory_low"),
    SWAP_USED("swap_high"),
    LOAD_PER_CORE("load_high");

    private final String problem;

    Check(String problem) {
      this.problem = problem;
    }

    /** The code that starts the degradation reason, e.g. {@code disk_space_low}. */
    public String problem() {
      return problem;
    }

    @JsonValue
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Whether a figure is within its threshold. */
  public enum Status {
    OK,
    /** Past the threshold: the agent is degraded. */
    EXCEEDED,
    /** The figure could not be read; the agent is not degraded for it. */
    UNKNOWN;

    @JsonValue
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Free space: below {@code minFreePercent} is {@code disk_space_low}. */
  static ResourceCheck diskSpace(
      String subject, long totalBytes, long availableBytes, double minFreePercent) {
    double free = percent(availableBytes, totalBytes);
    String what = " free, " + bytes(availableBytes) + " of " + bytes(totalBytes);
    return share(Check.DISK_SPACE, subject, free, minFreePercent, free < minFreePercent, what);
  }

  /** Free inodes: below {@code minFreePercent} is {@code disk_inodes_low}. */
  static ResourceCheck diskInodes(
      String subject, long totalInodes, long freeInodes, double minFreePercent) {
    double free = percent(freeInodes, totalInodes);
    String what = " of its inodes free, " + freeInodes + " of " + totalInodes;
    return share(Check.DISK_INODES, subject, free, minFreePercent, free < minFreePercent, what);
  }

  /** Available memory: below {@code minAvailablePercent} is {@code memory_low}. */
  static ResourceCheck memory(long totalBytes, long availableBytes, double minAvailablePercent) {
    double available = percent(availableBytes, totalBytes);
    String what = " available, " + bytes(availableBytes) + " of " + bytes(totalBytes);
    return share(
        Check.MEMORY_AVAILABLE,
        "memory",
        available,
        minAvailablePercent,
        available < minAvailablePercent,
        what);
  }

  /** Swap in use: above {@code maxUsedPercent} is {@code swap_high}. */
  static ResourceCheck swap(long totalBytes, long usedBytes, double maxUsedPercent) {
    double used = percent(usedBytes, totalBytes);
    String what = " in use, " + bytes(usedBytes) + " of " + bytes(totalBytes);
    return share(Check.SWAP_USED, "swap", used, maxUsedPercent, used > maxUsedPercent, what);
  }

  /** The 5-minute load average per logical core: above {@code maxPerCore} is {@code load_high}. */
  static ResourceCheck load(double fiveMinutes, int cores, double maxPerCore) {
    double perCore = fiveMinutes / cores;
    return judged(
        Check.LOAD_PER_CORE,
        "load",
        perCore,
        maxPerCore,
        perCore > maxPerCore,
        String.format(
            Locale.ROOT,
            "5-minute load %.2f on %d cores is %.2f per core",
            fiveMinutes,
            cores,
            perCore));
  }

  /** A figure that could not be read, and why. */
  static ResourceCheck unknown(Check check, String subject, double threshold, String why) {
    return new ResourceCheck(check, subject, Status.UNKNOWN, null, threshold, why, null);
  }

  /** A percentage held against its threshold: {@code "SUBJECT has N.N%WHAT (threshold T%)"}. */
  private static ResourceCheck share(
      Check check,
      String subject,
      double percent,
      double threshold,
      boolean exceeded,
      String what) {
    return judged(
        check,
        subject,
        percent,
        threshold,
        exceeded,
        subject + " has " + percentText(percent) + what);
  }

  private static ResourceCheck judged(
      Check check, String subject, double value, double threshold, boolean exceeded, String what) {
    String message = what + " (threshold " + number(threshold) + unit(check) + ")";
    return new ResourceCheck(
        check,
        subject,
        exceeded ? Status.EXCEEDED : Status.OK,
        Math.round(value * 100) / 100.0,
        threshold,
        message,
        exceeded ? check.problem() + ": " + message : null);
  }

  private static String unit(Check check) {
    return check == Check.LOAD_PER_CORE ? "" : "%";
  }

  private static double percent(long part, long whole) {
    return whole <= 0 ? 0 : part * 100.0 / whole;
  }

  private static String percentText(double percent) {
    return String.format(Locale.ROOT, "%.1f%%", percent);
  }

  /** {@code 5} for 5.0, {@code 2.5} for 2.5: thresholds as the operator wrote them. */
  private static String number(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  private static String bytes(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }
    if (bytes >= 1L << 20) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
    return String.format(Locale.ROOT, "%d KiB", bytes >> 10);
  }
}
