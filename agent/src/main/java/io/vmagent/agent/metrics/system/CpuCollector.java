package io.vmagent.agent.metrics.system;

import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.CpuMetrics;
import io.vmagent.agent.metrics.SnapshotBuilder;
import java.util.ArrayList;
import java.util.List;
import oshi.hardware.CentralProcessor;

/** Host CPU usage between collections (overall and per logical CPU), frequency, core counts. */
public final class CpuCollector implements Collector {
  private final CentralProcessor processor;
  private long[] previousTicks;
  private long[][] previousPerCpuTicks;

  public CpuCollector(CentralProcessor processor) {
    this.processor = processor;
  }

  @Override
  public String name() {
    return "cpu";
  }

  @Override
  public synchronized void collect(SnapshotBuilder into) {
    long[] ticks = processor.getSystemCpuLoadTicks();
    long[][] perCpuTicks = processor.getProcessorCpuLoadTicks();
    Double usage = null;
    List<Double> perCpu = List.of();
    if (previousTicks != null) {
      usage = percent(processor.getSystemCpuLoadBetweenTicks(previousTicks, ticks));
      if (previousPerCpuTicks.length == perCpuTicks.length) {
        double[] loads =
            processor.getProcessorCpuLoadBetweenTicks(previousPerCpuTicks, perCpuTicks);
        List<Double> values = new ArrayList<>(loads.length);
        for (double load : loads) {
          values.add(percent(load));
        }
        perCpu = values;
      }
    }
    previousTicks = ticks;
    previousPerCpuTicks = perCpuTicks;
    into.system()
        .cpu(
            new CpuMetrics(
                usage,
                perCpu,
                meanFrequency(processor.getCurrentFreq()),
                positive(processor.getMaxFreq()),
                processor.getPhysicalProcessorCount(),
                processor.getLogicalProcessorCount()));
  }

  /** OSHI gives a 0-1 fraction, or a negative value when the interval held no ticks. */
  private static Double percent(double fraction) {
    return fraction < 0 ? null : Math.min(100.0, fraction * 100.0);
  }

  private static Long meanFrequency(long[] hz) {
    long sum = 0;
    int known = 0;
    for (long value : hz) {
      if (value > 0) {
        sum += value;
        known++;
      }
    }
    return known == 0 ? null : sum / known;
  }

  private static Long positive(long value) {
    return value > 0 ? value : null;
  }
}
