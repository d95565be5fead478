package io.vmagent.simulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Samples one process's CPU time, resident memory and threads from {@code /proc}. */
final class ProcessSampler {
  private record Sample(long nanos, long cpuTicks, long rssKib, int threads) {}

  private final long pid;
  private final String role;
  private final long ticksPerSecond;
  private final List<Sample> samples = new ArrayList<>();
  private boolean gone;

  ProcessSampler(long pid, String role, long ticksPerSecond) {
    this.pid = pid;
    this.role = role;
    this.ticksPerSecond = ticksPerSecond;
  }

  long pid() {
    return pid;
  }

  /** Takes one sample now; a process that has exited is remembered as gone. */
  synchronized void sample() throws IOException {
    if (gone) {
      return;
    }
    try {
      Path dir = Path.of("/proc", Long.toString(pid));
      ProcStat.CpuAndThreads cpu = ProcStat.parseStat(Files.readString(dir.resolve("stat")));
      long rss = ProcStat.parseRssKib(Files.readString(dir.resolve("status")));
      samples.add(new Sample(System.nanoTime(), cpu.cpuTicks(), rss, cpu.threads()));
    } catch (NoSuchFileException e) {
      gone = true;
    }
  }

  /** Usage over the samples taken between the two instants (inclusive). */
  synchronized ProcessUsage usage(long fromNanos, long toNanos) {
    List<Sample> in = new ArrayList<>();
    for (Sample s : samples) {
      if (s.nanos() >= fromNanos && s.nanos() <= toNanos) {
        in.add(s);
      }
    }
    if (in.size() < 2) {
      return new ProcessUsage(pid, role, 0, 0, 0, 0, 0, !gone);
    }
    Sample first = in.get(0);
    Sample last = in.get(in.size() - 1);
    double cpu =
        ProcStat.cpuPercent(
            last.cpuTicks() - first.cpuTicks(), last.nanos() - first.nanos(), ticksPerSecond);
    double peak = 0;
    long rssSum = 0;
    long rssMax = 0;
    int threadsMax = 0;
    for (int i = 0; i < in.size(); i++) {
      Sample s = in.get(i);
      rssSum += s.rssKib();
      rssMax = Math.max(rssMax, s.rssKib());
      threadsMax = Math.max(threadsMax, s.threads());
      // Intervals shorter than a second are too coarse for clock ticks (10 ms each).
      if (i > 0 && s.nanos() - in.get(i - 1).nanos() >= 1_000_000_000L) {
        Sample p = in.get(i - 1);
        peak =
            Math.max(
                peak,
                ProcStat.cpuPercent(
                    s.cpuTicks() - p.cpuTicks(), s.nanos() - p.nanos(), ticksPerSecond));
      }
    }
    return new ProcessUsage(
        pid,
        role,
        round1(cpu),
        round1(peak),
        round1(rssSum / 1024.0 / in.size()),
        round1(rssMax / 1024.0),
        threadsMax,
        !gone);
  }

  static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
