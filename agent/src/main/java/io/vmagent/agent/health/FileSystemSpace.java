package io.vmagent.agent.health;

import com.sun.jna.Native;
import com.sun.jna.platform.linux.LibC;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Space and inodes of the file system holding a path, as {@code statvfs} reports them: what an
 * unprivileged process may still use, not counting the blocks reserved for root.
 */
record FileSystemSpace(long totalBytes, long availableBytes, long totalInodes, long freeInodes) {

  /**
   * Reads the file system of {@code path}, or of its nearest existing parent when it does not exist
   * yet (a state directory the daemon has not created will be created there).
   *
   * @throws IOException when {@code statvfs} fails, e.g. a directory this user may not enter
   */
  static FileSystemSpace of(Path path) throws IOException {
    Path existing = path.toAbsolutePath();
    while (existing.getParent() != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    LibC.Statvfs stat = new LibC.Statvfs();
    if (LibC.INSTANCE.statvfs(existing.toString(), stat) != 0) {
      int errno = Native.getLastError();
      throw new IOException("cannot read the file system of " + existing + ": " + describe(errno));
    }
    long fragment = stat.f_frsize.longValue();
    return new FileSystemSpace(
        stat.f_blocks.longValue() * fragment,
        stat.f_bavail.longValue() * fragment,
        stat.f_files.longValue(),
        stat.f_favail.longValue());
  }

  private static String describe(int errno) {
    return switch (errno) {
      case 2 -> "no such file or directory";
      case 13 -> "permission denied";
      case 20 -> "a part of the path is not a directory";
      default -> "statvfs failed with errno " + errno;
    };
  }
}
