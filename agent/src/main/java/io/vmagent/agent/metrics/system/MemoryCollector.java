package io.vmagent.agent.metrics.system;

import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.MemoryMetrics;
import io.vmagent.agent.metrics.Rates;
import io.vmagent.agent.metrics.SnapshotBuilder;
import io.vmagent.agent.metrics.SwapMetrics;
import oshi.hardware.GlobalMemory;
import oshi.hardware.VirtualMemory;

/** Physical memory and swap. */
public final class MemoryCollector implements Collector {
  private final GlobalMemory memory;

  public MemoryCollector(GlobalMemory memory) {
    this.memory = memory;
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public void collect(SnapshotBuilder into) {
    long total = memory.getTotal();
    long available = memory.getAvailable();
    long used = Math.max(0, total - available);
    VirtualMemory virtual = memory.getVirtualMemory();
    long swapTotal = virtual.getSwapTotal();
    long swapUsed = virtual.getSwapUsed();
    into.system()
        .memory(
            new MemoryMetrics(
                total, available, used, orZero(Rates.percent((double) used, (double) total))),
            new SwapMetrics(
                swapTotal, swapUsed, orZero(Rates.percent((double) swapUsed, (double) swapTotal))));
  }

  private static double orZero(double value) {
    return Double.isNaN(value) ? 0.0 : value;
  }
}
