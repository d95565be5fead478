package io.vmagent.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.agent.config.LogFormat;
import io.vmagent.agent.config.LogLevel;
import io.vmagent.protocol.text.Printable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A value with control characters in a log message is written escaped: one event, one line. */
class LogLinesCannotBeForgedTest {
  private static final String FORGED =
      "web\u001b]0;PWNED\u0007\u001b[31mRED\u001b[0m\rFAKE\nagent-Z  evil  online\u202e\u009b";

  @TempDir Path dir;

  @Test
  void textLogWritesMessageArgumentsEscapedOnOneLine() throws Exception {
    Path file = dir.resolve("agent.log");
    LogSetup.configure(LogLevel.INFO, Optional.of(file), LogFormat.TEXT, false);
    Logger log = LoggerFactory.getLogger("test.forged");
    log.info("vm {} started", FORGED);
    log.warn("command failed", new IllegalStateException("no domain '" + FORGED + "'"));
    log.info("next event");

    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertThat(lines.get(0))
        .endsWith(
            "vm web\\e]0;PWNED\\x07\\e[31mRED\\e[0m\\rFAKE\\nagent-Z  evil  online\\u202e\\x9b"
                + " started");
    assertThat(lines.get(1)).endsWith("command failed");
    assertThat(lines.get(2))
        .isEqualTo("java.lang.IllegalStateException: no domain '" + Printable.escape(FORGED) + "'");
    assertThat(lines.get(lines.size() - 1)).endsWith("next event");
    assertThat(
            String.join("\n", lines)
                .codePoints()
                .filter(c -> c != '\t' && c != '\n' && Printable.unsafe(c)))
        .isEmpty();
  }

  @Test
  void jsonLogKeepsTheExactValueWithoutRawControls() throws Exception {
    Path file = dir.resolve("agent.json");
    LogSetup.configure(LogLevel.INFO, Optional.of(file), LogFormat.JSON, false);
    LoggerFactory.getLogger("test.forged").info("vm {} started", FORGED);
    LoggerFactory.getLogger("test.forged").info("next event");

    String written = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(written.codePoints().filter(c -> c != '\n' && Printable.unsafe(c))).isEmpty();
    List<String> lines = written.lines().toList();
    assertThat(lines).hasSize(2);
    JsonNode event = new ObjectMapper().readTree(lines.get(0));
    assertThat(event.get("message").asText()).isEqualTo("vm " + FORGED + " started");
  }

  @Test
  void logFileIsCreatedReadableByItsGroupOnly() throws Exception {
    Path file = dir.resolve("logs").resolve("agent.log");
    LogSetup.configure(LogLevel.INFO, Optional.of(file), LogFormat.TEXT, false);
    LoggerFactory.getLogger("test.mode").info("hello");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-r-----");
  }
}
