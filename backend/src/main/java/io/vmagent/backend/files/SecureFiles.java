package io.vmagent.backend.files;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Writes files that hold secrets: owner-only from the first byte, replaced atomically. */
public final class SecureFiles {
  private SecureFiles() {}

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private static final Set<PosixFilePermission> OWNER_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_FILE =
      PosixFilePermissions.fromString("rw-------");

  /**
   * Creates the directory (and parents) readable by the owner only, and makes it 0700 when it
   * existed with a wider mode (a data directory made by hand with 0755, say).
   */
  public static Path privateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      if (POSIX) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
      } else {
        Files.createDirectories(dir);
      }
    }
    restrict(dir, OWNER_DIRECTORY);
    return dir;
  }

  /**
   * Makes every regular file directly in the directory 0600: the embedded database's files, which
   * H2 creates with the process's umask.
   */
  public static void privateFiles(Path dir) throws IOException {
    if (!POSIX) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
          restrict(file, OWNER_FILE);
        }
      }
    }
  }

  private static void restrict(Path path, Set<PosixFilePermission> mode) throws IOException {
    if (POSIX && !Files.getPosixFilePermissions(path).equals(mode)) {
      try {
        Files.setPosixFilePermissions(path, mode);
      } catch (IOException e) {
        throw new IOException(
            "cannot make "
                + path
                + " "
                + PosixFilePermissions.toString(mode)
                + " (it holds the backend's keys and database; is it the backend user's?): "
                + e,
            e);
      }
    }
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
