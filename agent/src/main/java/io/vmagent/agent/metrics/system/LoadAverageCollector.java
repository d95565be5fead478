package io.vmagent.agent.metrics.system;

import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.LoadAverage;
import io.vmagent.agent.metrics.SnapshotBuilder;
import oshi.hardware.CentralProcessor;

/** Load average over 1, 5 and 15 minutes. */
public final class LoadAverageCollector implements Collector {
  private final CentralProcessor processor;

  public LoadAverageCollector(CentralProcessor processor) {
    this.processor = processor;
  }

  @Override
  public String name() {
    return "loadavg";
  }

  @Override
  public void collect(SnapshotBuilder into) {
    double[] load = processor.getSystemLoadAverage(3);
    if (load.length < 3 || load[0] < 0) {
      throw new IllegalStateException("load average is not available on this platform");
    }
    into.system().load(new LoadAverage(load[0], load[1], load[2]));
  }
}
