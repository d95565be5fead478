package io.vmagent.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EnvFileTest {
  private static final Path FILE = Path.of("/etc/vm-agent/agent.env");

  @Test
  void readsSystemdSyntaxWithCommentsQuotesAndExport() {
    EnvFile file =
        EnvFile.parse(
            FILE,
            lines(
                "# a comment",
                "; another comment",
                "",
                "AGENT_NAME=host-1",
                "  AGENT_LOG_LEVEL = DEBUG  ",
                "export AGENT_BACKEND_URL=https://backend.example.com",
                "AGENT_TOKEN=\"quoted value with # hash\"",
                "AGENT_SSL_CA_PATH='/etc/ssl/my ca.pem'",
                "AGENT_ID=\"escaped \\\"quote\\\"\"",
                "AGENT_LOG_FILE=",
                "AGENT_LIBVIRT_URI=qemu:///\\",
                "system"));

    assertThat(file.problems()).isEmpty();
    assertThat(file.values())
        .containsEntry("AGENT_NAME", "host-1")
        .containsEntry("AGENT_LOG_LEVEL", "DEBUG")
        .containsEntry("AGENT_BACKEND_URL", "https://backend.example.com")
        .containsEntry("AGENT_TOKEN", "quoted value with # hash")
        .containsEntry("AGENT_SSL_CA_PATH", "/etc/ssl/my ca.pem")
        .containsEntry("AGENT_ID", "escaped \"quote\"")
        .containsEntry("AGENT_LOG_FILE", "")
        .containsEntry("AGENT_LIBVIRT_URI", "qemu:///system");
  }

  @Test
  void reportsBadLinesWithTheirLineNumberAndKeepsTheGoodOnes() {
    EnvFile file =
        EnvFile.parse(
            FILE,
            lines(
                "AGENT_NAME=ok",
                "this line has no equals sign",
                "1BAD=x",
                "AGENT_TOKEN=\"never closed",
                "AGENT_ID=\"a\" trailing"));

    assertThat(file.values()).containsOnlyKeys("AGENT_NAME");
    assertThat(file.problems())
        .extracting(ConfigProblem::key)
        .containsExactly(FILE + ":2", FILE + ":3", FILE + ":4", FILE + ":5");
    assertThat(file.problems().get(2).expected()).contains("unterminated");
    // A value of a bad line never appears in its problem: it may be a secret.
    assertThat(file.problems())
        .allSatisfy(p -> assertThat(p.describe()).doesNotContain("never closed"));
  }

  @Test
  void acceptsWindowsLineEndings() {
    EnvFile file = EnvFile.parse(FILE, "AGENT_NAME=a\r\nAGENT_ID=b\r\n");
    assertThat(file.values()).containsEntry("AGENT_NAME", "a").containsEntry("AGENT_ID", "b");
  }

  private static String lines(String... lines) {
    return String.join("\n", lines);
  }
}
