package io.vmagent.agent.metrics.system;

import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.Rates;
import io.vmagent.agent.metrics.SnapshotBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import oshi.software.os.FileSystem;
import oshi.software.os.OSFileStore;

/**
 * Space on each real mounted file system. OSHI's local-only listing already leaves out network
 * file systems and most pseudo ones; the types below are the ones it still lets through on
 * Linux but that hold no user data.
 */
public final class FileSystemCollector implements Collector {
  private static final List<String> PSEUDO_TYPES =
      List.of(
          "tmpfs", "devtmpfs", "proc", "sysfs", "cgroup", "cgroup2", "devpts", "mqueue",
          "debugfs", "tracefs", "securityfs", "pstore", "bpf", "configfs", "fusectl", "hugetlbfs",
          "autofs", "binfmt_misc", "efivarfs", "squashfs", "nsfs", "ramfs", "rpc_pipefs");

  private final FileSystem fileSystem;

  public FileSystemCollector(FileSystem fileSystem) {
    this.fileSystem = fileSystem;
  }

  @Override
  public String name() {
    return "filesystem";
  }

  @Override
  public void collect(SnapshotBuilder into) {
    List<FileSystemUsage> result = new ArrayList<>();
    for (OSFileStore store : fileSystem.getFileStores(true)) {
      if (PSEUDO_TYPES.contains(store.getType()) || store.getTotalSpace() <= 0) {
        continue;
      }
      long total = store.getTotalSpace();
      long free = store.getFreeSpace();
      long available = store.getUsableSpace();
      long used = Math.max(0, total - free);
      Double percent = Rates.percent(used, used + available);
      result.add(
          new FileSystemUsage(
              store.getMount(),
              store.getVolume(),
              store.getType(),
              total,
              used,
              available,
              percent == null ? 0.0 : percent));
    }
    result.sort(Comparator.comparing(FileSystemUsage::mountPoint));
    into.fileSystems(result);
  }
}
