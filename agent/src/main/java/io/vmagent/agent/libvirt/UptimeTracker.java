package io.vmagent.agent.libvirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knows when each running VM started, from two sources (see docs/operations.md, "Uptime"): the
 * start time of the VM's QEMU process on this host, found in {@code /proc} by the {@code -uuid}
 * argument libvirt gives QEMU; failing that (no local process, as with the test driver), the time
 * the agent saw the VM start, from lifecycle events or its own {@code start}.
 */
final class UptimeTracker implements VmEventListener {
  /** A start time and where it came from: {@code process} or {@code event}. */
  record Start(Instant at, String source) {}

  /** Linux reports process start times in clock ticks; USER_HZ is 100 on every architecture. */
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  private final Path proc;
  private final Map<String, Instant> observed = new ConcurrentHashMap<>();

  UptimeTracker() {
    this(Path.of("/proc"));
  }

  UptimeTracker(Path proc) {
    this.proc = proc;
  }

  @Override
  public void onEvent(VmLifecycleEvent event) {
    if (event.uuid() == null) {
      return;
    }
    switch (event.type()) {
      case "started" -> observed.put(event.uuid(), event.occurredAt());
      case "stopped", "undefined", "crashed" -> observed.remove(event.uuid());
      default -> {
        // Other events (paused, resumed, ...) do not change when the VM started.
      }
    }
  }

  /** Records a start the agent performed itself (events may arrive a moment later). */
  void started(String uuid, Instant at) {
    observed.putIfAbsent(uuid, at);
  }

  void stopped(String uuid) {
    observed.remove(uuid);
  }

  /** When the running VM {@code uuid} started, if known. */
  Optional<Start> startOf(String uuid) {
    Optional<Instant> process = processStart(uuid);
    if (process.isPresent()) {
      return Optional.of(new Start(process.get(), "process"));
    }
    Instant seen = observed.get(uuid);
    return seen == null ? Optional.empty() : Optional.of(new Start(seen, "event"));
  }

  private Optional<Instant> processStart(String uuid) {
    if (!Files.isDirectory(proc)) {
      return Optional.empty();
    }
    byte[] needle = ("-uuid\0" + uuid + "\0").getBytes(StandardCharsets.US_ASCII);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, "[0-9]*")) {
      for (Path entry : entries) {
        byte[] cmdline;
        try {
          cmdline = Files.readAllBytes(entry.resolve("cmdline"));
        } catch (IOException e) {
          continue; // the process ended or is not ours to read
        }
        if (contains(cmdline, needle)) {
          return startTime(entry);
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  private Optional<Instant> startTime(Path process) {
    try {
      String stat = Files.readString(process.resolve("stat"), StandardCharsets.US_ASCII);
      // Fields after the command name (which may contain spaces) start after the last ')'.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
      long startTicks = Long.parseLong(fields[19]); // field 22 of stat, 0-based 19 after comm
      long bootTime = bootTime();
      long millis = bootTime * 1000 + startTicks * 1000 / CLOCK_TICKS_PER_SECOND;
      return Optional.of(Instant.ofEpochMilli(millis));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private long bootTime() throws IOException {
    for (String line : Files.readAllLines(proc.resolve("stat"), StandardCharsets.US_ASCII)) {
      if (line.startsWith("btime ")) {
        return Long.parseLong(line.substring(6).strip());
      }
    }
    throw new IOException("no btime in " + proc.resolve("stat"));
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
