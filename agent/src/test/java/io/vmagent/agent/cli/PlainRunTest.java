package io.vmagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    Files.writeString(file, "AGENT_BACKEND_URL=http://backend.example.com\n"
        + "AGENT_TOKEN=s3cret-bootstrap-token\nAGENT_METRICS_INTERVAL=-1\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    Result plain = runMain(List.of(), List.of("AGENT_CONFIG_FILE=" + file, "AGENT_STATE_DIR=" + dir), "run");
    Result parsed = runMain(List.of(), List.of("AGENT_STATE_DIR=" + dir),
        "run", "--config-file", file.toString());

    assertThat(plain.exit).isEqualTo(78);
    assertThat(plain.output)
        .contains("vm-agent: ")
        .contains("AGENT_BACKEND_URL=http://backend.example.com")
        .contains("AGENT_METRICS_INTERVAL=-1")
        .contains("See 'vm-agent config check'")
        .doesNotContain("s3cret-bootstrap-token");
    assertThat(parsed.exit).isEqualTo(78);
    assertThat(plain.output).isEqualTo(parsed.output);
  }

  @Test
  void theBareRunCommandLoadsNoCommandLineParserClass() throws Exception {
    Path file = dir.resolve("agent.env");
    Files.writeString(file, "AGENT_METRICS_INTERVAL=-1\n");

    Result plain = runMain(List.of("-verbose:class"), List.of("AGENT_CONFIG_FILE=" + file,
        "AGENT_STATE_DIR=" + dir), "run");
    Result parsed = runMain(List.of("-verbose:class"), List.of("AGENT_STATE_DIR=" + dir),
        "run", "--config-file", file.toString());

    assertThat(plain.exit).isEqualTo(78);
    assertThat(plain.output).contains("io.vmagent.agent.cli.RunCommand").doesNotContain("picocli.");
    // The check would pass vacuously if the class-loading log were missing.
    assertThat(parsed.output).contains("picocli.CommandLine");
  }

  private record Result(int exit, String output) {}

  private Result runMain(List<String> jvmOptions, List<String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("AGENT_"));
    for (String setting : env) {
      int eq = setting.indexOf('=');
      builder.environment().put(setting.substring(0, eq), setting.substring(eq + 1));
    }
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
