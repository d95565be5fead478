package io.vmagent.simulator;

/**
 * Parses the figures the simulator needs from {@code /proc/PID/stat} and {@code /proc/PID/status}.
 */
final class ProcStat {
  private ProcStat() {}

  /**
   * CPU time and thread count from one {@code /proc/PID/stat} line.
   *
   * @param cpuTicks user plus system time, in clock ticks
   * @param threads number of threads
   */
  record CpuAndThreads(long cpuTicks, int threads) {}

  /**
   * Reads fields 14 (utime), 15 (stime) and 20 (num_threads). The command name (field 2) is in
   * parentheses and may itself hold spaces and parentheses, so fields are counted from the last
   * closing parenthesis.
   */
  static CpuAndThreads parseStat(String line) {
    int close = line.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/PID/stat line");
    }
    // After ") " come fields 3, 4, ...: field k is at index k - 3.
    String[] f = line.substring(close + 2).trim().split(" +", -1);
    if (f.length < 18) {
      throw new IllegalArgumentException("short /proc/PID/stat line: " + f.length + " fields");
    }
    long utime = Long.parseLong(f[14 - 3]);
    long stime = Long.parseLong(f[15 - 3]);
    int threads = Integer.parseInt(f[20 - 3]);
    return new CpuAndThreads(utime + stime, threads);
  }

  /** The {@code VmRSS} line of {@code /proc/PID/status}, in KiB; -1 when absent. */
  static long parseRssKib(String status) {
    for (String line : status.split("\n", -1)) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring("VmRSS:".length()).trim().split(" +", -1);
        return Long.parseLong(parts[0]);
      }
    }
    return -1;
  }

  /**
   * Busy and total jiffies from the first ({@code cpu}) line of {@code /proc/stat}; idle and iowait
   * count as not busy.
   *
   * @param busy jiffies spent on anything but idle and iowait
   * @param total all jiffies
   */
  record MachineTicks(long busy, long total) {}

  static MachineTicks parseMachine(String procStat) {
    String first =
        procStat.substring(
            0, procStat.indexOf('\n') < 0 ? procStat.length() : procStat.indexOf('\n'));
    if (!first.startsWith("cpu ")) {
      throw new IllegalArgumentException("/proc/stat does not start with the cpu line");
    }
    String[] f = first.substring(4).trim().split(" +", -1);
    long total = 0;
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    int n = Math.min(f.length, 8);
    for (int i = 0; i < n; i++) {
      total += Long.parseLong(f[i]);
    }
    long idle = Long.parseLong(f[3]) + (f.length > 4 ? Long.parseLong(f[4]) : 0);
    return new MachineTicks(total - idle, total);
  }

  /**
   * Percent of one core used between two readings of a process's CPU ticks.
   *
   * @param ticks CPU ticks used between the readings
   * @param nanos wall time between the readings
   * @param ticksPerSecond the kernel's clock ticks per second (USER_HZ)
   */
  static double cpuPercent(long ticks, long nanos, long ticksPerSecond) {
    if (nanos <= 0) {
      return 0;
    }
    return ticks * 100.0 / ticksPerSecond / (nanos / 1e9);
  }
}
