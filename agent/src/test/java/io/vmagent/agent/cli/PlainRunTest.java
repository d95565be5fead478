package io.vmagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.testing.AgentProcess;
import io.vmagent.testing.AgentProcess.Completed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vm-agent run} without options, the systemd unit's command, bypasses picocli; these run
 * {@link Main} in a child JVM, as the unit does, and hold it to what the parsed path does.
 */
class PlainRunTest {
  @TempDir Path dir;

  @Test
  void onlyTheBareRunCommandTakesTheShortPath() {
    assertThat(Main.isPlainRun(new String[] {"run"})).isTrue();
    assertThat(Main.isPlainRun(new String[] {"run", "--help"})).isFalse();
    assertThat(Main.isPlainRun(new String[] {"run", "--config-file", "x"})).isFalse();
    assertThat(Main.isPlainRun(new String[] {"RUN"})).isFalse();
    assertThat(Main.isPlainRun(new String[] {})).isFalse();
    assertThat(Main.isPlainRun(new String[] {"config", "run"})).isFalse();
  }

  @Test
  void anInvalidConfigurationGivesTheSameMessageAndExitCodeAsTheParsedPath() throws Exception {
    Path file = dir.resolve("agent.env");
    Files.writeString(
        file,
        """
        AGENT_BACKEND_URL=http://backend.example.com
        AGENT_TOKEN=s3cret-bootstrap-token
        AGENT_METRICS_INTERVAL=-1
        """);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    Completed plain =
        runMain(
            List.of(),
            Map.of("AGENT_CONFIG_FILE", file.toString(), "AGENT_STATE_DIR", dir.toString()),
            "run");
    Completed parsed =
        runMain(
            List.of(),
            Map.of("AGENT_STATE_DIR", dir.toString()),
            "run",
            "--config-file",
            file.toString());

    assertThat(plain.exit()).isEqualTo(78);
    assertThat(plain.output())
        .contains("vm-agent: ")
        .contains("AGENT_BACKEND_URL=http://backend.example.com")
        .contains("AGENT_METRICS_INTERVAL=-1")
        .contains("See 'vm-agent config check'")
        .doesNotContain("s3cret-bootstrap-token");
    assertThat(parsed.exit()).isEqualTo(78);
    assertThat(plain.output()).isEqualTo(parsed.output());
  }

  @Test
  void theBareRunCommandLoadsNoCommandLineParserClass() throws Exception {
    Path file = dir.resolve("agent.env");
    Files.writeString(file, "AGENT_METRICS_INTERVAL=-1\n");

    Completed plain =
        runMain(
            List.of("-verbose:class"),
            Map.of("AGENT_CONFIG_FILE", file.toString(), "AGENT_STATE_DIR", dir.toString()),
            "run");
    Completed parsed =
        runMain(
            List.of("-verbose:class"),
            Map.of("AGENT_STATE_DIR", dir.toString()),
            "run",
            "--config-file",
            file.toString());

    assertThat(plain.exit()).isEqualTo(78);
    assertThat(plain.output())
        .contains("io.vmagent.agent.cli.RunCommand")
        .doesNotContain("picocli.");
    // The check would pass vacuously if the class-loading log were missing.
    assertThat(parsed.output()).contains("picocli.CommandLine");
  }

  private static Completed runMain(List<String> jvmOptions, Map<String, String> env, String... args)
      throws Exception {
    List<String> jvm = new ArrayList<>(jvmOptions);
    jvm.addAll(AgentProcess.fromClassPath());
    return AgentProcess.run(jvm, env, args);
  }
}
