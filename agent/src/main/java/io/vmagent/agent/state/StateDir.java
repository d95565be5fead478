package io.vmagent.agent.state;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * The agent's state directory ({@code AGENT_STATE_DIR}): creates it and its sub-directories with
 * owner-only modes and writes files so that a crash leaves either the old or the new content, never
 * a half-written file (write to a temporary file, fsync, rename, fsync the directory).
 */
public final class StateDir {
  /** Mode of every directory the agent creates: {@code rwx------}. */
  public static final Set<PosixFilePermission> DIR_MODE =
      PosixFilePermissions.fromString("rwx------");

  /** Mode of every file the agent writes: {@code rw-------}. */
  public static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-------");

  private final Path root;

  public StateDir(Path root) {
    this.root = root.toAbsolutePath();
  }

  /** The directory itself. */
  public Path root() {
    return root;
  }

  /** A sub-directory, created with {@link #DIR_MODE} when missing. */
  public Path directory(String name) throws IOException {
    Path dir = root.resolve(name);
    ensureDirectory(dir);
    return dir;
  }

  /**
   * The agent's state directory at {@code root}, created when missing and restricted to its owner
   * (it holds credentials), as the installer creates it; a failure to restrict is logged.
   */
  public static StateDir restricted(Path root) throws IOException {
    ensureDirectory(root);
    try {
      Files.setPosixFilePermissions(root, DIR_MODE);
    } catch (IOException | UnsupportedOperationException e) {
      LoggerFactory.getLogger(StateDir.class)
          .warn("cannot restrict {} to mode 0700: {}", root, e.getMessage());
    }
    return new StateDir(root);
  }

  /** Creates {@code dir} (and parents) with {@link #DIR_MODE} when missing. */
  public static void ensureDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
    }
  }

  /**
   * Replaces {@code target} with {@code content} atomically and durably, mode {@link #FILE_MODE}.
   */
  public static void writeAtomically(Path target, byte[] content) throws IOException {
    writeAtomically(target, content, true);
  }

  /**
   * Replaces {@code target} with {@code content} atomically, mode {@link #FILE_MODE}; with {@code
   * durable} false the fsyncs are skipped (a crash may bring back the previous content, never a mix
   * of both).
   */
  public static void writeAtomically(Path target, byte[] content, boolean durable)
      throws IOException {
    // A command cut short at shutdown has its worker interrupted and still journals its result: an
    // interrupt would close the file channel mid-write (ClosedByInterruptException), so it is held
    // back while the file is written and handed back afterwards. One arriving during the write
    // costs that attempt, not the write.
    boolean interrupted = Thread.interrupted();
    try {
      try {
        replace(target, content, durable);
      } catch (ClosedByInterruptException e) {
        interrupted |= Thread.interrupted();
        replace(target, content, durable);
      }
    } finally {
      if (interrupted || Thread.interrupted()) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static void replace(Path target, byte[] content, boolean durable) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    ensureDirectory(dir);
    Path tmp =
        Files.createTempFile(
            dir,
            "." + target.getFileName(),
            ".tmp",
            PosixFilePermissions.asFileAttribute(FILE_MODE));
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        if (durable) {
          channel.force(true);
        }
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      if (durable) {
        syncDirectory(dir);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Makes a rename or a new file in {@code dir} durable. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open a directory for fsync; the rename is still atomic there.
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }
}
