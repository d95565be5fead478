package io.vmagent.testing;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A small tmpfs mounted on a directory, for the full-disk scenarios (mounting needs root). */
public final class Tmpfs {
  private Tmpfs() {}

  /**
   * Mounts a tmpfs with {@code options} (e.g. {@code size=2m,mode=0700}) on {@code directory}.
   *
   * @return null when it is mounted, else why not (mount's output), for a test to skip with
   */
  public static String mount(Path directory, String options)
      throws IOException, InterruptedException {
    return run("mount", "-t", "tmpfs", "-o", options, "tmpfs", directory.toString());
  }

  /** Unmounts {@code directory}, lazily when something still holds it open. */
  public static void unmount(Path directory) throws IOException, InterruptedException {
    if (run("umount", directory.toString()) != null) {
      run("umount", "-l", directory.toString());
    }
  }

  /** Writes {@code file} until its file system is full; returns the bytes written. */
  public static long fill(Path file) {
    long written = 0;
    byte[] chunk = new byte[16 * 1024];
    try (FileOutputStream out = new FileOutputStream(file.toFile())) {
      while (true) {
        out.write(chunk);
        written += chunk.length;
      }
    } catch (IOException full) {
      return written;
    }
  }

  /** Runs a command; null when it succeeded, else its output. */
  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return "timed out";
    }
    return process.exitValue() == 0 ? null : output.strip();
  }
}
