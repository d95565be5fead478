package io.vmagent.agent.health;

import io.vmagent.agent.config.ResourceThresholds;
import io.vmagent.agent.libvirt.ConnectionState;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.StoragePools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.VirtualMemory;

/**
 * Measures the host's resources against their thresholds: space and inodes of the state directory's
 * file system and of every active storage pool, available memory, swap in use and the load per
 * core. A check whose threshold turns it off is not run.
 */
public final class HostResources {
  private static final Logger log = LoggerFactory.getLogger(HostResources.class);

  private final Path stateDir;
  private final ResourceThresholds thresholds;
  private final LibvirtConnectionManager libvirt;
  private final Duration libvirtDeadline;
  private final GlobalMemory memory;
  private final CentralProcessor processor;
  private Set<String> problemsSeen = Set.of();

  /**
   * @param libvirtDeadline how long listing the storage pools may take
   */
  public HostResources(
      Path stateDir,
      ResourceThresholds thresholds,
      LibvirtConnectionManager libvirt,
      Duration libvirtDeadline) {
    this.stateDir = stateDir;
    this.thresholds = thresholds;
    this.libvirt = libvirt;
    this.libvirtDeadline = libvirtDeadline;
    SystemInfo system = new SystemInfo();
    this.memory = system.getHardware().getMemory();
    this.processor = system.getHardware().getProcessor();
  }

  /** Every check, as of now: the state directory, each pool, memory, swap, load. */
  public List<ResourceCheck> check() {
    List<ResourceCheck> checks = new ArrayList<>();
    fileSystem(stateDir.toString(), stateDir, checks);
    pools(checks);
    if (thresholds.memoryAvailablePercent() > 0) {
      measure(
          checks,
          ResourceCheck.Check.MEMORY_AVAILABLE,
          "memory",
          thresholds.memoryAvailablePercent(),
          this::memory);
    }
    if (thresholds.swapUsedPercent() < 100) {
      measure(
          checks, ResourceCheck.Check.SWAP_USED, "swap", thresholds.swapUsedPercent(), this::swap);
    }
    if (thresholds.loadPerCore() > 0) {
      measure(
          checks, ResourceCheck.Check.LOAD_PER_CORE, "load", thresholds.loadPerCore(), this::load);
    }
    return checks;
  }

  /**
   * Adds what {@code measure} finds, if anything; a figure that cannot be read is {@code unknown}
   * rather than an exception, so a heartbeat is never lost to a resource check.
   */
  private static void measure(
      List<ResourceCheck> into,
      ResourceCheck.Check check,
      String subject,
      double threshold,
      Supplier<ResourceCheck> measure) {
    try {
      ResourceCheck result = measure.get();
      if (result != null) {
        into.add(result);
      }
    } catch (RuntimeException e) {
      into.add(ResourceCheck.unknown(check, subject, threshold, "cannot be read: " + e));
    }
  }

  private ResourceCheck memory() {
    long total = memory.getTotal();
    if (total <= 0) {
      return ResourceCheck.unknown(
          ResourceCheck.Check.MEMORY_AVAILABLE,
          "memory",
          thresholds.memoryAvailablePercent(),
          "the memory's size is not available on this platform");
    }
    return ResourceCheck.memory(total, memory.getAvailable(), thresholds.memoryAvailablePercent());
  }

  /** Null when the host has no swap. */
  private ResourceCheck swap() {
    VirtualMemory virtual = memory.getVirtualMemory();
    return virtual.getSwapTotal() <= 0
        ? null
        : ResourceCheck.swap(
            virtual.getSwapTotal(), virtual.getSwapUsed(), thresholds.swapUsedPercent());
  }

  /**
   * The reasons of the checks past their thresholds, for the heartbeat. A reason that appears is
   * logged once as a warning, and a code that clears once as information, so a full disk does not
   * repeat in the log at every heartbeat.
   */
  public synchronized List<String> problems() {
    List<String> reasons = new ArrayList<>();
    Set<String> now = new LinkedHashSet<>();
    for (ResourceCheck check : check()) {
      if (check.reason() != null) {
        reasons.add(check.reason());
        String key = check.check().problem() + " " + check.subject();
        now.add(key);
        if (!problemsSeen.contains(key)) {
          log.warn("degraded: {}", check.reason());
        }
      }
    }
    for (String key : problemsSeen) {
      if (!now.contains(key)) {
        log.info("no longer degraded: {} is within its threshold again", key);
      }
    }
    problemsSeen = Set.copyOf(now);
    return reasons;
  }

  private void fileSystem(String subject, Path path, List<ResourceCheck> into) {
    boolean space = thresholds.diskFreePercent() > 0;
    boolean inodes = thresholds.inodesFreePercent() > 0;
    if (!space && !inodes) {
      return;
    }
    FileSystemSpace fs;
    try {
      fs = FileSystemSpace.of(path);
    } catch (IOException e) {
      into.add(
          ResourceCheck.unknown(
              ResourceCheck.Check.DISK_SPACE,
              subject,
              thresholds.diskFreePercent(),
              e.getMessage()));
      return;
    }
    if (space && fs.totalBytes() > 0) {
      into.add(
          ResourceCheck.diskSpace(
              subject, fs.totalBytes(), fs.availableBytes(), thresholds.diskFreePercent()));
    }
    // Some file systems (btrfs, many FUSE ones) have no fixed inode table and report none.
    if (inodes && fs.totalInodes() > 0) {
      into.add(
          ResourceCheck.diskInodes(
              subject, fs.totalInodes(), fs.freeInodes(), thresholds.inodesFreePercent()));
    }
  }

  private void pools(List<ResourceCheck> into) {
    if (thresholds.diskFreePercent() <= 0 && thresholds.inodesFreePercent() <= 0) {
      return;
    }
    if (libvirt.state() != ConnectionState.CONNECTED) {
      return; // the health report already says libvirt is unreachable
    }
    List<StoragePools.Pool> pools;
    try {
      pools = libvirt.withConnection("list storage pools", libvirtDeadline, StoragePools::active);
    } catch (RuntimeException e) {
      into.add(
          ResourceCheck.unknown(
              ResourceCheck.Check.DISK_SPACE,
              "storage pools",
              thresholds.diskFreePercent(),
              "cannot list the storage pools: " + e.getMessage()));
      return;
    }
    for (StoragePools.Pool pool : pools) {
      String subject = "storage pool " + pool.name();
      Path local = localDirectory(pool);
      if (local != null) {
        // statvfs is current; libvirt's figures are as of the pool's last refresh.
        fileSystem(subject, local, into);
      } else if (thresholds.diskFreePercent() > 0 && pool.capacityBytes() > 0) {
        into.add(
            ResourceCheck.diskSpace(
                subject,
                pool.capacityBytes(),
                pool.availableBytes(),
                thresholds.diskFreePercent()));
      }
    }
  }

  /** The pool's directory when it is on a file system this host has mounted, else null. */
  private static Path localDirectory(StoragePools.Pool pool) {
    if (!pool.onFileSystem()) {
      return null;
    }
    try {
      Path path = Path.of(pool.path());
      return Files.isDirectory(path) ? path : null;
    } catch (InvalidPathException e) {
      return null; // not a path of this host: libvirt's figures apply
    }
  }

  private ResourceCheck load() {
    double[] average = processor.getSystemLoadAverage(2);
    int cores = processor.getLogicalProcessorCount();
    if (average.length < 2 || average[1] < 0 || cores < 1) {
      return ResourceCheck.unknown(
          ResourceCheck.Check.LOAD_PER_CORE,
          "load",
          thresholds.loadPerCore(),
          "the load average is not available on this platform");
    }
    return ResourceCheck.load(average[1], cores, thresholds.loadPerCore());
  }
}
