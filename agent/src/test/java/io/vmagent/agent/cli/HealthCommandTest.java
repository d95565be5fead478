package io.vmagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

class HealthCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path envFile;

  @BeforeEach
  void writeEmptyEnvFile() throws Exception {
    envFile = dir.resolve("agent.env");
    Files.writeString(envFile, "");
    Files.setPosixFilePermissions(envFile, PosixFilePermissions.fromString("rw-r-----"));
  }

  private int health(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("health"));
    all.addAll(Arrays.asList(args));
    all.addAll(
        List.of(
            "--libvirt-uri",
            "test://" + Path.of(getClass().getResource("/libvirt/node.xml").toURI()),
            "--config-file",
            envFile.toString(),
            "--state-dir",
            dir.toString()));
    CommandLine cli = VmAgentCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(all.toArray(new String[0]));
  }

  @Test
  void eachResourceCheckIsARowOfTheTable() throws Exception {
    int exit =
        health(
            "--set",
            "AGENT_HEALTH_LOAD_PER_CORE=1000",
            "--set",
            "AGENT_HEALTH_DISK_FREE_PERCENT=0.01");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .containsPattern("disk_space\\s+ok: " + dir + " has [0-9.]+% free")
        .containsPattern("disk_inodes\\s+ok: " + dir + " has ")
        .containsPattern("disk_space\\s+ok: storage pool images has 92.0% free")
        .containsPattern("memory_available\\s+ok: ")
        .containsPattern("load_per_core\\s+ok: 5-minute load ");
  }

  @Test
  void aResourcePastItsThresholdExits69AndTheJsonHoldsEveryCheckAndTheReason() throws Exception {
    // No file system is ever 100 % free.
    int exit =
        health(
            "--json",
            "--set",
            "AGENT_HEALTH_DISK_FREE_PERCENT=100",
            "--set",
            "AGENT_HEALTH_LOAD_PER_CORE=1000");

    assertThat(exit).isEqualTo(ExitCodes.UNAVAILABLE);
    JsonNode report = new ObjectMapper().readTree(out.toString());
    assertThat(report.get("healthy").asBoolean()).isFalse();
    assertThat(report.get("domains_total").asInt()).isEqualTo(8);
    assertThat(report.get("reasons").get(0).asText())
        .startsWith("disk_space_low: " + dir + " has ")
        .endsWith("(threshold 100%)");
    assertThat(report.get("resources").findValuesAsText("check"))
        .contains("disk_space", "disk_inodes", "memory_available", "load_per_core");
    assertThat(report.get("resources").get(0).get("status").asText()).isEqualTo("exceeded");
  }

  @Test
  void aWrongThresholdIsAConfigurationError() throws Exception {
    int exit = health("--set", "AGENT_HEALTH_MEMORY_AVAILABLE_PERCENT=lots");

    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString())
        .contains(
            "AGENT_HEALTH_MEMORY_AVAILABLE_PERCENT=lots: expected a number between 0.0 and 100.0");
  }
}
