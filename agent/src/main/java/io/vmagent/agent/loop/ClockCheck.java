package io.vmagent.agent.loop;

import io.vmagent.agent.backend.ClockOffset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * This host's clock as the heartbeat reports it: its offset from the backend's, whether the host
 * says it is synchronised, and a degradation reason when the offset is beyond {@code
 * AGENT_CLOCK_OFFSET_MAX}. Whether the host is synchronised comes from systemd-timesyncd's flag
 * file: the unit's {@code ProtectClock=yes} makes even a read-only {@code adjtimex} fail.
 */
public final class ClockCheck {
  /** systemd-timesyncd creates this file once it has synchronised the clock since boot. */
  static final Path TIMESYNC_FLAG = Path.of("/run/systemd/timesync/synchronized");

  private final ClockOffset offset;
  private final Duration max;
  private final Path flag;

  /** Reports {@code offset}, degraded beyond {@code max}. */
  public ClockCheck(ClockOffset offset, Duration max) {
    this(offset, max, TIMESYNC_FLAG);
  }

  ClockCheck(ClockOffset offset, Duration max, Path flag) {
    this.offset = offset;
    this.max = max;
    this.flag = flag;
  }

  /** How far this host's clock is ahead of the backend's; empty before it was measured. */
  public Optional<Duration> offset() {
    return offset.current();
  }

  /**
   * Whether the host says its clock is synchronised: true once timesyncd has synchronised it, false
   * while timesyncd runs without having done so, null when no such service says.
   */
  public Boolean synchronised() {
    if (Files.exists(flag)) {
      return Boolean.TRUE;
    }
    return Files.isDirectory(flag.getParent()) ? Boolean.FALSE : null;
  }

  /** Why the clock makes the agent degraded, if it does. */
  public Optional<String> problem() {
    Optional<Duration> current = offset();
    if (current.isEmpty() || current.get().abs().compareTo(max) <= 0) {
      return Optional.empty();
    }
    Duration off = current.get();
    String seconds = String.format(java.util.Locale.ROOT, "%+.1f", off.toMillis() / 1000.0);
    String sync =
        Boolean.FALSE.equals(synchronised()) ? "; the host says it is not synchronised" : "";
    return Optional.of(
        "clock offset "
            + seconds
            + " s from the backend's (over AGENT_CLOCK_OFFSET_MAX "
            + max.toSeconds()
            + " s"
            + sync
            + "): TLS and token checks may fail; synchronise this host's clock (NTP)");
  }
}
