package io.vmagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmagent.agent.metrics.MetricsJson;
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

class MetricsCommandTest {
  private static final int DOMAINS = 10;

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
    uri = TestDriverNodeXml.write(dir.resolve("node.xml"), DOMAINS);
  }

  private int run(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(List.of("--config-file", envFile.toString(), "--state-dir", dir.toString()));
    CommandLine cli = VmAgentCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(all.toArray(new String[0]));
  }

  @Test
  void vmsAsJsonIsTheSnapshotWithRates() throws Exception {
    int exit = run("metrics", "--vms", "--json", "--interval", "0.2", "--libvirt-uri", uri);

    assertThat(exit).as(err.toString()).isZero();
    JsonNode snapshot = MetricsJson.mapper().readTree(out.toString());
    assertThat(snapshot.get("schema_version").asInt()).isEqualTo(2);
    assertThat(snapshot.get("host").isNull()).as("--vms collects no host part").isTrue();
    assertThat(snapshot.get("domains")).hasSize(DOMAINS);
    assertThat(snapshot.at("/domains/0/name").asText()).isEqualTo(TestDriverNodeXml.name(0));
    assertThat(snapshot.at("/domains/0/cpu_percent").isNumber()).isTrue();
    // The test driver cannot tell when a domain started: counted from this command's first look.
    assertThat(snapshot.at("/domains/0/uptime_estimated").asBoolean()).isTrue();
    assertThat(snapshot.at("/domains/0/uptime_seconds").asDouble()).isBetween(0.2, 60.0);
  }

  @Test
  void defaultIsReadableTablesOfHostAndVms() {
    int exit = run("metrics", "--interval", "0", "--libvirt-uri", uri);

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("Memory", "MOUNT", "INTERFACE")
        .containsPattern("VM\\s+STATE\\s+VCPUS\\s+CPU%")
        .containsPattern(TestDriverNodeXml.name(9) + "\\s+shut_off")
        .containsPattern(TestDriverNodeXml.name(0) + ".*\\s~\\d+s\\R");
  }

  @Test
  void systemOnlyNeedsNoLibvirt() {
    int exit = run("metrics", "--system", "--interval", "0", "--libvirt-uri", "qemu:///nowhere");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Memory").doesNotContain("VCPUS");
  }

  @Test
  void unreachableLibvirtExitsUnavailable() {
    int exit =
        run(
            "metrics",
            "--vms",
            "--interval",
            "0",
            "--libvirt-uri",
            "qemu:///system?socket=" + dir.resolve("no-such-socket"));

    assertThat(exit).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(err.toString()).contains("VM metrics unavailable from libvirt");
  }

  @Test
  void systemAndVmsTogetherIsAUsageError() {
    int exit = run("metrics", "--system", "--vms");

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void intervalOutOfRangeIsRefused() {
    int exit = run("metrics", "--interval", "-1", "--libvirt-uri", uri);

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--interval must be between 0 and 60 seconds");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void withJsonAnIntervalOutOfRangeIsAnInvalidArgumentError() throws Exception {
    int exit = run("metrics", "--json", "--interval", "99", "--libvirt-uri", uri);

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).isEmpty();
    JsonNode error = MetricsJson.mapper().readTree(out.toString()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.get("message").asText()).contains("--interval must be between 0 and 60");
  }

  @Test
  void withJsonAFailedCollectorIsNamedInTheSnapshotOnly() throws Exception {
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
    JsonNode collector = MetricsJson.mapper().readTree(out.toString()).at("/collectors/0");
    assertThat(collector.get("name").asText()).isEqualTo("domains");
    assertThat(collector.get("success").asBoolean()).isFalse();
    assertThat(collector.get("error").asText()).contains("no-such-socket");
  }
}
