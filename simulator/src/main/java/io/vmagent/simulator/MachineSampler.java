package io.vmagent.simulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whole-machine CPU and load average, so a report shows how busy the machine was with processes
 * other than the backend and the simulator.
 */
final class MachineSampler {
  private static final Path PROC_STAT = Path.of("/proc/stat");
  private static final Path LOADAVG = Path.of("/proc/loadavg");

  private ProcStat.MachineTicks start;
  private String loadAtStart = "";

  void begin() throws IOException {
    start = ProcStat.parseMachine(Files.readString(PROC_STAT));
    loadAtStart = loadAverage();
  }

  String loadAtStart() {
    return loadAtStart;
  }

  /** Percent of all cores busy since {@link #begin()}. */
  double busyPercentSinceBegin() throws IOException {
    ProcStat.MachineTicks now = ProcStat.parseMachine(Files.readString(PROC_STAT));
    long total = now.total() - start.total();
    return total <= 0 ? 0 : ProcessSampler.round1((now.busy() - start.busy()) * 100.0 / total);
  }

  /** The first three fields of {@code /proc/loadavg}. */
  static String loadAverage() throws IOException {
    String[] f = Files.readString(LOADAVG).trim().split(" +", -1);
    return f[0] + " " + f[1] + " " + f[2];
  }
}
