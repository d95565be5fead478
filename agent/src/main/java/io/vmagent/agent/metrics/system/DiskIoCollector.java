package io.vmagent.agent.metrics.system;

import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.DiskIo;
import io.vmagent.agent.metrics.Rates;
import io.vmagent.agent.metrics.SnapshotBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import oshi.hardware.HWDiskStore;
import oshi.hardware.HardwareAbstractionLayer;

/** Read and write bytes and operations of each block device, and their rates. */
public final class DiskIoCollector implements Collector {
  private final HardwareAbstractionLayer hardware;
  private Map<String, long[]> previous = Map.of();
  private long previousNanos;

  public DiskIoCollector(HardwareAbstractionLayer hardware) {
    this.hardware = hardware;
  }

  @Override
  public String name() {
    return "diskio";
  }

  @Override
  public synchronized void collect(SnapshotBuilder into) {
    long now = System.nanoTime();
    double seconds = (now - previousNanos) / 1e9;
    Map<String, long[]> current = new HashMap<>();
    List<DiskIo> result = new ArrayList<>();
    for (HWDiskStore disk : hardware.getDiskStores()) {
      long[] counters = {
        disk.getReadBytes(), disk.getWriteBytes(), disk.getReads(), disk.getWrites()
      };
      current.put(disk.getName(), counters);
      long[] before = previous.getOrDefault(disk.getName(), NONE);
      result.add(
          new DiskIo(
              shortName(disk.getName()),
              counters[0],
              counters[1],
              counters[2],
              counters[3],
              Rates.perSecond(before[0], counters[0], seconds),
              Rates.perSecond(before[1], counters[1], seconds),
              Rates.perSecond(before[2], counters[2], seconds),
              Rates.perSecond(before[3], counters[3], seconds)));
    }
    previous = current;
    previousNanos = now;
    result.sort(Comparator.comparing(DiskIo::device));
    into.system().disks(result);
  }

  private static final long[] NONE = {-1, -1, -1, -1};

  /** "/dev/sda" becomes "sda", the name users know from iostat and node_exporter. */
  private static String shortName(String name) {
    return name.startsWith("/dev/") ? name.substring("/dev/".length()) : name;
  }
}
