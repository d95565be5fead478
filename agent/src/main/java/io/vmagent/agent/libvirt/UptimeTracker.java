package io.vmagent.agent.libvirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each running VM started: the one definition of a VM's uptime that {@code info}, {@code
 * vm-agent metrics} and the metrics snapshot share (see docs/operations.md, "Uptime"). It is the
 * domain's last start as the hypervisor knows it, the start time of its QEMU process on this host
 * (found in {@code /proc} by the {@code -uuid} argument libvirt gives QEMU); failing that (no local
 * process, as with the test driver), the start the agent saw happen (a lifecycle event or its own
 * {@code start}); failing that, the agent's first sight of the VM running under its current id,
 * which is an estimate (the VM started earlier).
 */
public final class UptimeTracker implements VmEventListener {
  /** Where a start time came from. */
  public enum Source {
    /** The start time of the VM's QEMU process. */
    PROCESS,
    /** The agent saw the VM start (a lifecycle event, or its own {@code start}). */
    EVENT,
    /** The agent's first sight of the VM running: an estimate, the VM started earlier. */
    FIRST_SEEN;

    /** The name {@code info} and the tables show. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A start time and where it came from. */
  public record Start(Instant at, Source source) {
    /** Whether the time is the agent's first sight rather than the VM's start. */
    public boolean estimated() {
      return source == Source.FIRST_SEEN;
    }
  }

  /** A start the agent knows of; {@code id} is -1 until a look-up ties it to a hypervisor id. */
  private record Known(Instant at, Source source, int id) {}

  /** Linux reports process start times in clock ticks; USER_HZ is 100 on every architecture. */
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  private static final byte[] UUID_FLAG = "-uuid\0".getBytes(StandardCharsets.US_ASCII);
  private static final int UUID_LENGTH = 36;

  private final Path proc;
  private final Map<String, Known> known = new ConcurrentHashMap<>();

  /** A tracker that reads this host's {@code /proc}. */
  public UptimeTracker() {
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
      case "started" -> known.put(event.uuid(), new Known(event.occurredAt(), Source.EVENT, -1));
      case "stopped", "undefined", "crashed" -> known.remove(event.uuid());
      default -> {
        // Other events (paused, resumed, rebooted, ...) do not change when the QEMU process began.
      }
    }
  }

  /** Records a start the agent performed itself (its event may arrive a moment later). */
  void started(String uuid, Instant at) {
    known.merge(
        uuid,
        new Known(at, Source.EVENT, -1),
        (old, fresh) -> old.source() == Source.EVENT ? old : fresh);
  }

  /** The VM is no longer running. */
  public void stopped(String uuid) {
    known.remove(uuid);
  }

  /**
   * When the running VM {@code uuid}, hypervisor id {@code id}, started; {@code now} if unknown.
   */
  public Start startOf(String uuid, int id, Instant now) {
    return startOf(uuid, id, now, processStarts());
  }

  /**
   * As {@link #startOf(String, int, Instant)}, with the process start times read once by {@link
   * #processStarts()} for many VMs.
   */
  public Start startOf(String uuid, int id, Instant now, Map<String, Instant> processes) {
    Instant process = processes.get(uuid);
    if (process != null) {
      return new Start(process, Source.PROCESS);
    }
    Known start =
        known.compute(
            uuid,
            (u, old) -> {
              if (old == null || (old.id() >= 0 && old.id() != id)) {
                // Never seen, or restarted under a new id while the agent missed its events.
                return new Known(now, Source.FIRST_SEEN, id);
              }
              return old.id() < 0 ? new Known(old.at(), old.source(), id) : old;
            });
    return new Start(start.at(), start.source());
  }

  /** The start time of every QEMU process on this host, by the VM's UUID; empty without one. */
  public Map<String, Instant> processStarts() {
    Map<String, Instant> starts = new HashMap<>();
    if (!Files.isDirectory(proc)) {
      return starts;
    }
    long bootTime;
    try {
      bootTime = bootTime();
    } catch (IOException | RuntimeException e) {
      return starts;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, "[0-9]*")) {
      for (Path entry : entries) {
        byte[] cmdline;
        try {
          cmdline = Files.readAllBytes(entry.resolve("cmdline"));
        } catch (IOException e) {
          continue; // the process ended or is not ours to read
        }
        String uuid = uuidArgument(cmdline);
        if (uuid != null) {
          startTime(entry, bootTime).ifPresent(at -> starts.put(uuid, at));
        }
      }
    } catch (IOException e) {
      return starts;
    }
    return starts;
  }

  /** The value after {@code -uuid} in a NUL-separated command line, or null. */
  private static String uuidArgument(byte[] cmdline) {
    int at = indexOf(cmdline, UUID_FLAG);
    if (at < 0 || at + UUID_FLAG.length + UUID_LENGTH > cmdline.length) {
      return null;
    }
    int start = at + UUID_FLAG.length;
    int end = start + UUID_LENGTH;
    if (end < cmdline.length && cmdline[end] != 0) {
      return null;
    }
    return new String(cmdline, start, UUID_LENGTH, StandardCharsets.US_ASCII);
  }

  private static Optional<Instant> startTime(Path process, long bootTime) {
    try {
      String stat = Files.readString(process.resolve("stat"), StandardCharsets.US_ASCII);
      // Fields after the command name (which may contain spaces) start after the last ')'.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
      long startTicks = Long.parseLong(fields[19]); // field 22 of stat, 0-based 19 after comm
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

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
