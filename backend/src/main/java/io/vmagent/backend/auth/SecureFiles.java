package io.vmagent.backend.auth;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes files that hold secrets: owner-only from the first byte, replaced atomically. */
public final class SecureFiles {
  private SecureFiles() {}

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  /** Creates the directory (and parents) readable by the owner only. */
  public static Path privateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      if (POSIX) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
    }
    return dir;
  }

  /** Writes the bytes to a 0600 file, replacing it atomically. */
  public static void writeSecret(Path file, byte[] content) throws IOException {
    write(file, content, "rw-------");
  }

  /** Writes the bytes to a 0644 file (certificates), replacing it atomically. */
  public static void writePublic(Path file, byte[] content) throws IOException {
    write(file, content, "rw-r--r--");
  }

  private static void write(Path file, byte[] content, String permissions) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp =
        POSIX
            ? Files.createTempFile(
                dir,
                ".tmp-",
                null,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
            : Files.createTempFile(dir, ".tmp-", null);
    try {
      Files.write(temp, content);
      if (POSIX) {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(permissions));
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
