package io.vmagent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A child process's wall clock moved by libfaketime (Debian's {@code libfaketime}): the offset is
 * read from a file at every clock read, so a test steps the clock while the process runs. The
 * monotonic clock is left alone, as a stepped host clock leaves it. Tests that need it are skipped
 * when the library is missing ({@code bin/test} installs {@code faketime}).
 */
public final class FakeTime {
  private static final List<Path> LIBRARIES =
      List.of(
          Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
          Path.of("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"),
          Path.of("/usr/lib/faketime/libfaketime.so.1"));

  private final Path library;
  private final Path file;

  private FakeTime(Path library, Path file) {
    this.library = library;
    this.file = file;
  }

  /** libfaketime, when this host has it. */
  public static Optional<Path> library() {
    return LIBRARIES.stream().filter(Files::isReadable).findFirst();
  }

  /**
   * A clock {@code offset} off (libfaketime's form: {@code +25m}, {@code -1h}, {@code +0}), kept in
   * {@code file}.
   */
  public static FakeTime start(Path file, String offset) throws IOException {
    Path library =
        library().orElseThrow(() -> new IOException("libfaketime is not installed (faketime)"));
    FakeTime clock = new FakeTime(library, file);
    clock.set(offset);
    return clock;
  }

  /** Steps the clock of every process started with {@link #environment()} to {@code offset}. */
  public void set(String offset) throws IOException {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, offset + "\n", StandardCharsets.US_ASCII);
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The environment that puts a process on this clock. */
  public Map<String, String> environment() {
    return Map.of(
        "LD_PRELOAD",
        library.toString(),
        "FAKETIME_TIMESTAMP_FILE",
        file.toString(),
        "FAKETIME_NO_CACHE",
        "1",
        // The JVM times its waits on the monotonic clock; faking it would stall them.
        "FAKETIME_DONT_FAKE_MONOTONIC",
        "1",
        // libfaketime 0.9.10 otherwise rewrites the deadlines of the JVM's monotonic waits as if
        // they were faked: its selector then wakes only at its timeouts, and a TLS handshake takes
        // longer than any connect timeout.
        "FAKETIME_FORCE_MONOTONIC_FIX",
        "0");
  }
}
