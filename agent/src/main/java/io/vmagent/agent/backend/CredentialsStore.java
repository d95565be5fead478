package io.vmagent.agent.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.agent.state.StateDir;
import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the agent's {@link Credentials} in {@code STATE_DIR/credentials.json}, mode 0600, replaced
 * atomically, so a restart reuses them instead of registering again.
 */
public final class CredentialsStore {
  /** The file's name inside the state directory. */
  public static final String FILE_NAME = "credentials.json";

  private static final Logger log = LoggerFactory.getLogger(CredentialsStore.class);

  private final Path file;
  private final ObjectMapper json = ProtocolJson.tolerantMapper();

  public CredentialsStore(Path stateDir) {
    this.file = stateDir.resolve(FILE_NAME);
  }

  /** Where the credentials live. */
  public Path file() {
    return file;
  }

  /** The kept credentials; empty when none are kept or the file cannot be understood. */
  public Optional<Credentials> load() throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    byte[] bytes = Files.readAllBytes(file);
    try {
      return Optional.of(json.readValue(bytes, Credentials.class));
    } catch (IOException e) {
      // The exception text could quote the file, which holds tokens: report only its kind.
      log.warn(
          "credentials file {} is damaged ({}); the agent will register again",
          file,
          e.getClass().getSimpleName());
      return Optional.empty();
    }
  }

  /** Replaces the kept credentials. */
  public void save(Credentials credentials) throws IOException {
    StateDir.writeAtomically(file, json.writeValueAsBytes(credentials));
  }

  /** Forgets the kept credentials. */
  public void delete() throws IOException {
    Files.deleteIfExists(file);
  }
}
