package io.vmagent.agent.metrics.system;

import io.vmagent.agent.metrics.Collector;
import java.nio.file.Path;
import java.util.List;
import oshi.SystemInfo;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.software.os.OperatingSystem;

/** The host collectors, in snapshot order, over one OSHI {@link SystemInfo}. */
public final class SystemCollectors {
  private final HardwareAbstractionLayer hardware;
  private final OperatingSystem os;

  public SystemCollectors(SystemInfo systemInfo) {
    this.hardware = systemInfo.getHardware();
    this.os = systemInfo.getOperatingSystem();
  }

  /** Logical CPUs of the host, to express VM CPU use as a share of the host. */
  public int logicalCpus() {
    return hardware.getProcessor().getLogicalProcessorCount();
  }

  /** A fresh list of collectors (each keeps its own previous sample for rates). */
  public List<Collector> create() {
    return List.of(
        new HostCollector(os, hardware.getProcessor(), Path.of("/dev/kvm")),
        new CpuCollector(hardware.getProcessor()),
        new LoadAverageCollector(hardware.getProcessor()),
        new MemoryCollector(hardware.getMemory()),
        new FileSystemCollector(os.getFileSystem(), Path.of("/proc/self/mounts")),
        new DiskIoCollector(hardware),
        new NetworkCollector(hardware, Path.of("/sys/class/net")));
  }
}
