package io.vmagent.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Keeps the generated agent id in the state directory, so the agent keeps its identity across
 * restarts and reinstalls that keep {@code /var/lib/vm-agent}.
 */
public final class AgentIdStore {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final String FILE_NAME = "agent-id";

  private final Path file;

  public AgentIdStore(Path stateDir) {
    this.file = stateDir.resolve(FILE_NAME);
  }

  public Path file() {
    return file;
  }

  static boolean isValid(String id) {
    return VALID.matcher(id).matches();
  }

  /** The kept id, if one was kept. */
  public Optional<String> read() throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String id = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (!isValid(id)) {
      throw new IllegalStateException(
          "the file holds no valid agent id; remove it to generate a new one");
    }
    return Optional.of(id);
  }

  /**
   * Generates an id and keeps it; written to a temporary file and renamed so a crash leaves none
   * half-written.
   */
  public String create() throws IOException {
    String id = UUID.randomUUID().toString();
    Files.createDirectories(file.getParent());
    Path tmp =
        Files.createTempFile(
            file.getParent(),
            FILE_NAME,
            ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
    try {
      Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return id;
  }
}
