package io.vmagent.agent.loop;

import io.vmagent.agent.state.StateDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Hands out event sequence numbers that increase across restarts: blocks of {@link #BLOCK} are
 * reserved by writing the block's end to {@code STATE_DIR/event-sequence} before any number of the
 * block is used, so a crash skips at most the rest of a block and never repeats a number.
 */
public final class EventSequence {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(EventSequence.class);

  /** Numbers reserved per write. */
  static final long BLOCK = 1_000;

  private final Path file;
  private long next;
  private long reservedUntil;

  public EventSequence(Path stateDir) throws IOException {
    this.file = stateDir.resolve("event-sequence");
    long reserved = 0;
    if (Files.exists(file)) {
      try {
        reserved = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).strip());
      } catch (NumberFormatException e) {
        // A damaged file: start far beyond anything plausible rather than repeat a number.
        reserved = System.currentTimeMillis() * 1_000;
        log.error("{} is damaged; event sequence numbers continue from {}", file, reserved);
      }
    }
    this.next = reserved;
    this.reservedUntil = reserved;
  }

  /** The next number. */
  public synchronized long next() throws IOException {
    if (next >= reservedUntil) {
      reservedUntil = next + BLOCK;
      StateDir.writeAtomically(file, (reservedUntil + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    return next++;
  }
}
