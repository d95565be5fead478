package io.vmagent.agent.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.agent.state.StateDir;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command journal: one small JSON file per command id in {@code STATE_DIR/journal/}, written
 * atomically and fsynced <em>before</em> a command starts and again with its result before the
 * result is reported. A command delivered again is answered from here and never run twice.
 */
public final class CommandJournal {
  /** Sub-directory of the state directory. */
  public static final String DIRECTORY = "journal";

  private static final Logger log = LoggerFactory.getLogger(CommandJournal.class);
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private final Path dir;
  private final ObjectMapper json = ProtocolJson.tolerantMapper();

  public CommandJournal(StateDir stateDir) throws IOException {
    this.dir = stateDir.directory(DIRECTORY);
  }

  /** Whether {@code id} can name a journal file (command ids are UUIDs). */
  public static boolean acceptableId(String id) {
    return id != null && SAFE_ID.matcher(id).matches();
  }

  /** The entry for a command id, if the agent ever saw it. */
  public Optional<JournalEntry> find(String commandId) throws IOException {
    Path file = file(commandId);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(json.readValue(Files.readAllBytes(file), JournalEntry.class));
  }

  /** Records that a command is about to start; durable when this returns. */
  public void started(String commandId, String operation, Instant at) throws IOException {
    started(commandId, operation, null, at);
  }

  /**
   * Records that a command on {@code vm} (null when it names none) is about to start; durable when
   * this returns.
   */
  public void started(String commandId, String operation, String vm, Instant at)
      throws IOException {
    write(new JournalEntry(commandId, operation, at, null, false, vm));
  }

  /** Records a command's outcome; durable when this returns. */
  public JournalEntry finished(
      String commandId, String operation, Instant startedAt, CommandResult result)
      throws IOException {
    JournalEntry entry = new JournalEntry(commandId, operation, startedAt, result, false, null);
    write(entry);
    return entry;
  }

  /**
   * Records that the backend acknowledged the result. Not fsynced: if a crash loses the mark, the
   * result is sent once more at the next start and the backend keeps the first one.
   */
  public void delivered(String commandId) throws IOException {
    Optional<JournalEntry> entry = find(commandId);
    if (entry.isPresent() && entry.get().finished() && !entry.get().delivered()) {
      JournalEntry e = entry.get();
      StateDir.writeAtomically(
          file(commandId),
          json.writeValueAsBytes(
              new JournalEntry(
                  e.commandId(), e.operation(), e.startedAt(), e.result(), true, null)),
          false);
    }
  }

  /** Every entry, for recovery at start; a damaged file is reported and skipped. */
  public List<JournalEntry> all() throws IOException {
    List<JournalEntry> entries = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path file : files) {
        try {
          entries.add(json.readValue(Files.readAllBytes(file), JournalEntry.class));
        } catch (IOException e) {
          log.error("journal file {} is damaged and ignored: {}", file, e.getMessage());
        }
      }
    }
    return entries;
  }

  /** Removes delivered entries started before {@code before}; returns how many. */
  public int prune(Instant before) throws IOException {
    int removed = 0;
    for (JournalEntry entry : all()) {
      if (entry.delivered() && entry.startedAt().isBefore(before)) {
        Files.deleteIfExists(file(entry.commandId()));
        removed++;
      }
    }
    return removed;
  }

  private void write(JournalEntry entry) throws IOException {
    StateDir.writeAtomically(file(entry.commandId()), json.writeValueAsBytes(entry));
  }

  private Path file(String commandId) {
    if (!acceptableId(commandId)) {
      throw new IllegalArgumentException("command id is not usable as a journal key");
    }
    return dir.resolve(commandId + ".json");
  }
}
