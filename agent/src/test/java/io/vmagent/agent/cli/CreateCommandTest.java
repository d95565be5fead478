package io.vmagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
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

/** {@code vm-agent vm define} and {@code vm-agent vm create} on the test driver. */
class CreateCommandTest {
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

  private int run(String... args) throws Exception {
    URL fixture = getClass().getResource("/libvirt/node.xml");
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(
        List.of(
            "--libvirt-uri", "test://" + Path.of(fixture.toURI()),
            "--config-file", envFile.toString(),
            "--state-dir", dir.toString()));
    CommandLine cli = VmAgentCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(all.toArray(new String[0]));
  }

  @Test
  void createPrintsTheNewVmAndItsVolumes() throws Exception {
    int exit =
        run(
            "vm",
            "create",
            "app-01",
            "--vcpus",
            "2",
            "--memory",
            "512",
            "--disk",
            "pool=images,base=web-01.qcow2",
            "--disk",
            "pool=images,size=1024",
            "--network",
            "default",
            "--start");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("app-01 (")
        .contains("undefined -> running (define_and_start)")
        .contains("volume: /var/lib/vmagent-test/images/app-01-vda.qcow2")
        .contains("volume: /var/lib/vmagent-test/images/app-01-vdb.qcow2");
  }

  @Test
  void createWithJsonPrintsTheResultTheBackendReceives() throws Exception {
    int exit = run("vm", "create", "app-01", "--vcpus", "1", "--memory", "64", "--json");

    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(exit).as(err.toString()).isZero();
    assertThat(json.get("operation").asText()).isEqualTo("create");
    assertThat(json.get("state_before").asText()).isEqualTo("undefined");
    assertThat(json.get("state_after").asText()).isEqualTo("shut_off");
    assertThat(json.get("changed").asBoolean()).isTrue();
  }

  @Test
  void badDiskSpecsAndParametersAreUsageErrors() throws Exception {
    assertThat(
            run("vm", "create", "app-01", "--vcpus", "1", "--memory", "64", "--disk", "pool=x,y=1"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("INVALID_ARGUMENT").contains("disk 'pool=x,y=1'");
    assertThat(run("vm", "create", "app-01", "--vcpus", "0", "--memory", "64"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("INVALID_ARGUMENT").contains("vcpus");
  }

  @Test
  void defineReadsTheXmlFileAndRefusesHostFiles() throws Exception {
    Path good = dir.resolve("good.xml");
    Files.writeString(
        good,
        "<domain type='test'><name>new-01</name><memory>65536</memory>"
            + "<os><type>hvm</type></os></domain>");
    Path bad = dir.resolve("bad.xml");
    Files.writeString(
        bad,
        "<domain type='test'><name>new-02</name><memory>65536</memory><os><type>hvm</type></os>"
            + "<devices><disk type='file' device='disk'><source file='/etc/shadow'/>"
            + "<target dev='vda'/></disk></devices></domain>");

    assertThat(run("vm", "define", good.toString())).as(err.toString()).isZero();
    assertThat(out.toString()).contains("new-01 (").contains("undefined -> shut_off (define)");
    assertThat(run("vm", "define", bad.toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .contains("INVALID_ARGUMENT")
        .contains("<domain/devices/disk/source>")
        .contains("/etc/shadow");
  }
}
