package io.vmagent.agent.libvirt.create;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host paths a domain definition may name: the host's storage pools (their directories and
 * volumes, read from libvirt just before the check) and the directories allowed for firmware, boot
 * files and emulators (the defaults of Debian's QEMU packages and {@code
 * AGENT_DEFINE_ALLOWED_PATHS}).
 *
 * @param pools every active storage pool by name
 * @param allowedDirectories directories whose files may be named as disks, firmware, kernels
 */
public record HostPaths(Map<String, Pool> pools, List<Path> allowedDirectories) {
  /** Where Debian and Ubuntu install firmware and QEMU's own files. */
  public static final List<Path> FIRMWARE_DIRECTORIES =
      List.of(
          Path.of("/usr/share/OVMF"),
          Path.of("/usr/share/AAVMF"),
          Path.of("/usr/share/qemu"),
          Path.of("/usr/share/seabios"),
          Path.of("/var/lib/libvirt/qemu/nvram"));

  /**
   * One storage pool.
   *
   * @param directory its target path when it is a directory-like pool ({@code dir}, {@code fs},
   *     {@code netfs}), else null
   * @param volumes the volumes' names
   * @param volumePaths the volumes' paths
   */
  public record Pool(String name, Path directory, Set<String> volumes, Set<String> volumePaths) {
    public Pool {
      volumes = Set.copyOf(volumes);
      volumePaths = Set.copyOf(volumePaths);
    }
  }

  public HostPaths {
    pools = Map.copyOf(pools);
    allowedDirectories = List.copyOf(allowedDirectories);
  }

  /** Whether {@code path} is a volume of a pool or a file in a pool's directory, or allowed. */
  boolean allowsDiskFile(String path) {
    Path normal = normal(path);
    if (normal == null) {
      return false;
    }
    for (Pool pool : pools.values()) {
      if (pool.volumePaths().contains(path)
          || (pool.directory() != null && normal.startsWith(pool.directory()))) {
        return true;
      }
    }
    return inAllowedDirectory(normal);
  }

  /** Whether {@code path} is a volume of a pool (a block device a pool manages), or allowed. */
  boolean allowsBlockDevice(String path) {
    Path normal = normal(path);
    if (normal == null) {
      return false;
    }
    for (Pool pool : pools.values()) {
      if (pool.volumePaths().contains(path)) {
        return true;
      }
    }
    return inAllowedDirectory(normal);
  }

  /** Whether {@code pool} has a volume {@code volume}. */
  boolean hasVolume(String pool, String volume) {
    Pool found = pools.get(pool);
    return found != null && found.volumes().contains(volume);
  }

  /** Whether {@code path} lies in a firmware directory or an allowed one. */
  boolean allowsBootFile(String path) {
    Path normal = normal(path);
    if (normal == null) {
      return false;
    }
    for (Path dir : FIRMWARE_DIRECTORIES) {
      if (normal.startsWith(dir)) {
        return true;
      }
    }
    return inAllowedDirectory(normal);
  }

  private boolean inAllowedDirectory(Path normal) {
    for (Path dir : allowedDirectories) {
      if (normal.startsWith(dir)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The path when it is absolute and already normal (no {@code .} or {@code ..} components, no
   * control characters), else null: such a path is refused rather than interpreted.
   */
  static Path normal(String text) {
    if (text == null || text.isEmpty() || text.chars().anyMatch(Character::isISOControl)) {
      return null;
    }
    try {
      Path path = Path.of(text);
      return path.isAbsolute() && path.normalize().equals(path) && !text.contains("//")
          ? path
          : null;
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
