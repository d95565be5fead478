package io.vmagent.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.agent.config.LogFormat;
import io.vmagent.agent.config.LogLevel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class SecretsNeverReachTheLogTest {
  private static final String BOOTSTRAP_TOKEN = "bootstrap-Zq8xV2-secret";
  private static final String JWT =
      "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZ2VudC0xIn0.c2lnbmF0dXJlLWJ5dGVz";
  private static final String PEM_KEY =
      "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkey-material\n-----END EC PRIVATE KEY-----";

  @TempDir Path dir;

  @AfterEach
  void tearDown() {
    SecretMasker.forget(BOOTSTRAP_TOKEN);
  }

  @ParameterizedTest
  @EnumSource(LogFormat.class)
  void tokensKeysAndBearerHeadersAreMaskedInEveryFormat(LogFormat format) throws Exception {
    Path file = dir.resolve("agent.log");
    LogSetup.configure(LogLevel.DEBUG, Optional.of(file), format, false);
    SecretMasker.register(BOOTSTRAP_TOKEN);
    Logger log = LoggerFactory.getLogger("test.secrets");

    log.info("registering with token {}", BOOTSTRAP_TOKEN);
    log.debug("Authorization: Bearer {}", JWT);
    log.warn("refresh answered {}", "{\"access_token\":\"" + JWT + "\"}");
    log.error("bad key file", new IllegalStateException("cannot parse " + PEM_KEY));
    log.info("nothing secret here");

    String written = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(written)
        .doesNotContain(BOOTSTRAP_TOKEN)
        .doesNotContain(JWT)
        .doesNotContain("c2lnbmF0dXJlLWJ5dGVz")
        .doesNotContain("key-material")
        .contains("registering with token ***")
        .contains("nothing secret here")
        .contains("IllegalStateException");
  }

  @Test
  void underJournaldLinesCarryTheirPriorityAndNoSecondTimestamp() {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      LogSetup.configure(LogLevel.INFO, Optional.empty(), LogFormat.TEXT, true);
      Logger log = LoggerFactory.getLogger("test.journal");
      log.warn("disk almost full");
      log.error("libvirt gone");
      log.debug("not shown at INFO");
    } finally {
      System.setOut(original);
    }
    String[] lines = captured.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0]).startsWith("<4>WARN").endsWith("disk almost full");
    assertThat(lines[1]).startsWith("<3>ERROR").endsWith("libvirt gone");
    assertThat(lines[0]).doesNotContainPattern("\\d{4}-\\d{2}-\\d{2}T");
  }

  @Test
  void journaldIsDetectedFromTheEnvironmentSystemdSets() {
    assertThat(LogSetup.underJournald(Map.of("JOURNAL_STREAM", "8:12345"))).isTrue();
    assertThat(LogSetup.underJournald(Map.of("TERM", "xterm"))).isFalse();
  }
}
