package io.vmagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.testing.TestDriverNodeXml;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** With --json, a failing command prints one JSON error object on standard output, nothing else. */
class JsonErrorTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path envFile;
  private String uri;

  @BeforeEach
  void fixture() throws Exception {
    envFile = dir.resolve("agent.env");
    Files.writeString(envFile, "");
    Files.setPosixFilePermissions(envFile, PosixFilePermissions.fromString("rw-r-----"));
    uri = TestDriverNodeXml.write(dir.resolve("node.xml"), 2);
  }

  private int run(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--config-file", envFile.toString(), "--state-dir", dir.toString()));
    CommandLine cli = VmAgentCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(all.toArray(new String[0]));
  }

  /** The one error object on standard output, its code and message; standard error empty. */
  private JsonNode error() throws Exception {
    assertThat(err.toString()).isEmpty();
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.size()).as(out.toString()).isEqualTo(1);
    JsonNode error = json.get("error");
    assertThat(error.size()).isEqualTo(2);
    return error;
  }

  @Test
  void aMissingArgumentIsInvalidArgument() throws Exception {
    int exit = run("vm", "info", "--json", "--libvirt-uri", uri);

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    JsonNode error = error();
    assertThat(error.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.get("message").asText()).contains("Missing required parameter: 'VM'");
  }

  @Test
  void anUnknownOptionIsInvalidArgument() throws Exception {
    int exit = run("vm", "list", "--json", "--colour");

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    assertThat(error().get("message").asText()).contains("--colour");
  }

  @Test
  void aValueOutOfRangeIsInvalidArgument() throws Exception {
    int exit = run("metrics", "--json", "--interval", "99");

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    JsonNode error = error();
    assertThat(error.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.get("message").asText()).contains("--interval must be between 0 and 60");
  }

  @Test
  void anUnknownVmIsVmNotFound() throws Exception {
    int exit = run("vm", "pause", "ghost-01", "--json", "--libvirt-uri", uri);

    assertThat(exit).isEqualTo(ExitCodes.FAILED);
    JsonNode error = error();
    assertThat(error.get("code").asText()).isEqualTo("VM_NOT_FOUND");
    assertThat(error.get("message").asText()).contains("ghost-01").doesNotStartWith("VM_");
  }

  @Test
  void controlCharactersInTheMessageAreEscaped() throws Exception {
    int exit = run("vm", "pause", "ghost\u001b\u202e-01", "--json", "--libvirt-uri", uri);

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    assertThat(out.toString()).doesNotContain("\u001b", "\u202e").contains("\\u202E");
    JsonNode error = error();
    assertThat(error.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.get("message").asText()).contains("ghost").doesNotContain("\u001b");
  }

  @Test
  void anUnreachableLibvirtIsLibvirtUnavailable() throws Exception {
    int exit =
        run(
            "vm",
            "list",
            "--json",
            "--libvirt-uri",
            "qemu:///system?socket=" + dir.resolve("no-such-socket"));

    assertThat(exit).isEqualTo(ExitCodes.UNAVAILABLE);
    JsonNode error = error();
    assertThat(error.get("code").asText()).isEqualTo("LIBVIRT_UNAVAILABLE");
    assertThat(error.get("message").asText()).startsWith("libvirt is unavailable: ");
  }

  @Test
  void anInvalidConfigurationExits78WithTheProblems() throws Exception {
    int exit = run("health", "--json", "--libvirt-uri", uri, "--set", "AGENT_STOP_TIMEOUT=0");

    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    JsonNode error = error();
    assertThat(error.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.get("message").asText())
        .startsWith("invalid configuration:")
        .contains("AGENT_STOP_TIMEOUT=0");
  }

  @Test
  void metricsWithJsonNamesAFailedCollectorInTheSnapshotOnly() throws Exception {
    int exit =
        run(
            "metrics",
            "--vms",
            "--json",
            "--interval",
            "0",
            "--libvirt-uri",
            "qemu:///system?socket=" + dir.resolve("no-such-socket"));

    assertThat(exit).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(err.toString()).isEmpty();
    JsonNode collector = new ObjectMapper().readTree(out.toString()).at("/collectors/0");
    assertThat(collector.get("name").asText()).isEqualTo("domains");
    assertThat(collector.get("success").asBoolean()).isFalse();
    assertThat(collector.get("error").asText()).contains("no-such-socket");
  }
}
