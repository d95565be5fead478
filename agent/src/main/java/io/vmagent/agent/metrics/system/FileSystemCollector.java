package io.vmagent.agent.metrics.system;

import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.FileSystemUsage;
import io.vmagent.agent.metrics.Rates;
import io.vmagent.agent.metrics.SnapshotBuilder;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import oshi.software.os.FileSystem;
import oshi.software.os.OSFileStore;

/**
 * Space on each real mounted file system. OSHI's local-only listing already leaves out network file
 * systems and most pseudo ones; the types below are the ones it still lets through on Linux but
 * that hold no user data.
 *
 * <p>OSHI's listing costs about 10 ms (it resolves labels and UUIDs of every mount), so it is
 * redone only when the mount table changes; in between, space figures come straight from {@code
 * statvfs} through {@link FileStore}, which costs microseconds.
 */
public final class FileSystemCollector implements Collector {
  private static final List<String> PSEUDO_TYPES =
      List.of(
          "tmpfs",
          "devtmpfs",
          "proc",
          "sysfs",
          "cgroup",
          "cgroup2",
          "devpts",
          "mqueue",
          "debugfs",
          "tracefs",
          "securityfs",
          "pstore",
          "bpf",
          "configfs",
          "fusectl",
          "hugetlbfs",
          "autofs",
          "binfmt_misc",
          "efivarfs",
          "squashfs",
          "nsfs",
          "ramfs",
          "rpc_pipefs");

  private final FileSystem fileSystem;
  private final Path mountTable;
  private byte[] mountsAtListing;
  private List<Mount> mounts = List.of();

  /**
   * @param mountTable the kernel's mount table ({@code /proc/self/mounts}), compared byte for byte
   *     to notice mounts and unmounts; when unreadable, OSHI lists every time
   */
  public FileSystemCollector(FileSystem fileSystem, Path mountTable) {
    this.fileSystem = fileSystem;
    this.mountTable = mountTable;
  }

  @Override
  public String name() {
    return "filesystem";
  }

  @Override
  public synchronized void collect(SnapshotBuilder into) {
    byte[] table = readMountTable();
    if (table == null || !Arrays.equals(table, mountsAtListing)) {
      mounts = list();
      mountsAtListing = table;
    }
    List<FileSystemUsage> result = new ArrayList<>(mounts.size());
    for (Mount mount : mounts) {
      FileSystemUsage usage = mount.usage();
      if (usage != null) {
        result.add(usage);
      }
    }
    into.system().fileSystems(result);
  }

  private List<Mount> list() {
    List<Mount> result = new ArrayList<>();
    for (OSFileStore store : fileSystem.getFileStores(true)) {
      if (PSEUDO_TYPES.contains(store.getType()) || store.getTotalSpace() <= 0) {
        continue;
      }
      try {
        FileStore nio = Files.getFileStore(Path.of(store.getMount()));
        result.add(new Mount(store.getMount(), store.getVolume(), store.getType(), nio));
      } catch (IOException | InvalidPathException e) {
        // unmounted since OSHI listed it, or not reachable from this mount namespace
      }
    }
    result.sort(Comparator.comparing(Mount::mountPoint));
    return result;
  }

  private byte[] readMountTable() {
    try {
      return Files.readAllBytes(mountTable);
    } catch (IOException e) {
      return null;
    }
  }

  /** A mounted file system as OSHI listed it, with the NIO handle that reads its space. */
  private record Mount(String mountPoint, String device, String type, FileStore store) {
    FileSystemUsage usage() {
      try {
        long total = store.getTotalSpace();
        long free = store.getUnallocatedSpace();
        long available = store.getUsableSpace();
        long used = Math.max(0, total - free);
        double percent = Rates.percent((double) used, (double) (used + available));
        return new FileSystemUsage(
            mountPoint,
            device,
            type,
            total,
            used,
            available,
            Double.isNaN(percent) ? 0.0 : percent);
      } catch (IOException e) {
        return null; // unmounted between two listings: gone from this snapshot
      }
    }
  }
}
