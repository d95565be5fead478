package io.vmagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;

class ProcStatTest {

  @Test
  void statFieldsAreCountedFromTheLastParenthesisOfTheCommandName() {
    // A command name holding spaces and a parenthesis, as a process may choose.
    String line =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 37 0"
            + " 100 5000000 12000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
    ProcStat.CpuAndThreads cpu = ProcStat.parseStat(line);
    assertThat(cpu.cpuTicks()).isEqualTo(1234 + 567);
    assertThat(cpu.threads()).isEqualTo(37);
  }

  @Test
  void ownStatParses() throws Exception {
    String line = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
    assertThat(ProcStat.parseStat(line).threads()).isPositive();
  }

  @Test
  void truncatedStatIsRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> ProcStat.parseStat("1 (x) S 1 2"));
    assertThatIllegalArgumentException().isThrownBy(() -> ProcStat.parseStat("no name"));
  }

  @Test
  void rssComesFromTheVmRssLine() {
    String status = "Name:\tjava\nVmPeak:\t 999 kB\nVmRSS:\t  123456 kB\nThreads:\t37\n";
    assertThat(ProcStat.parseRssKib(status)).isEqualTo(123_456);
    assertThat(ProcStat.parseRssKib("Name:\tkthreadd\n")).isEqualTo(-1);
  }

  @Test
  void machineBusyLeavesOutIdleAndIowait() {
    String stat = "cpu  100 10 50 800 40 0 0 0 0 0\ncpu0 50 5 25 400 20 0 0 0 0 0\n";
    ProcStat.MachineTicks t = ProcStat.parseMachine(stat);
    assertThat(t.total()).isEqualTo(1000);
    assertThat(t.busy()).isEqualTo(160);
  }

  @Test
  void cpuPercentIsOfOneCore() {
    // 150 ticks at 100 per second over one second is one and a half cores.
    assertThat(ProcStat.cpuPercent(150, 1_000_000_000L, 100)).isEqualTo(150.0);
    assertThat(ProcStat.cpuPercent(10, 2_000_000_000L, 100)).isEqualTo(5.0);
    assertThat(ProcStat.cpuPercent(10, 0, 100)).isZero();
  }
}
