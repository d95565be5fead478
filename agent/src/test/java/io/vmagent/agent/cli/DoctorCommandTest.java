package io.vmagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The doctor's local checks and exit codes, with no backend listening (the checks against a real
 * backend are in the e2e module's {@code DoctorE2eTest}).
 */
class DoctorCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = VmAgentCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  /** {@code vm-agent doctor} with no backend listening, libvirt's test driver and this state. */
  private int doctor(String stateDir) throws Exception {
    Path env = dir.resolve("agent.env");
    if (!Files.exists(env)) {
      Files.createFile(env);
    }
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    out.getBuffer().setLength(0);
    return run(
        "doctor",
        "--config-file",
        env.toString(),
        "--backend-url",
        "https://127.0.0.1:" + closed,
        "--libvirt-uri",
        "test:///default",
        "--state-dir",
        stateDir);
  }

  @Test
  void aStateDirectoryThatCannotBeMadeFailsWithAHintAndExits69() throws Exception {
    int exit = doctor("/proc/vm-agent-doctor-test");

    assertThat(exit).as(out + err.toString()).isEqualTo(69);
    assertThat(out.toString())
        .containsPattern("(?m)^PASS\\s+libvirt\\s+test:///default as user ")
        .containsPattern(
            "(?m)^FAIL\\s+state directory\\s+/proc/vm-agent-doctor-test does not exist and cannot"
                + " be created in /proc")
        .contains("hint: run this as the agent's user")
        .contains("2 of 8 checks failed");
  }

  @Test
  void aWritableStateDirectoryPasses() throws Exception {
    doctor(dir.resolve("state").toString());

    assertThat(out.toString())
        .containsPattern("(?m)^PASS\\s+state directory\\s+" + dir + "/state does not exist yet");
    Files.createDirectory(dir.resolve("state"));
    doctor(dir.resolve("state").toString());
    assertThat(out.toString())
        .containsPattern("(?m)^PASS\\s+state directory\\s+" + dir + "/state is writable$");
    assertThat(dir.resolve("state").toFile().list()).isEmpty();
    assertThat(dir.toFile().list()).containsExactlyInAnyOrder("agent.env", "state");
  }
}
