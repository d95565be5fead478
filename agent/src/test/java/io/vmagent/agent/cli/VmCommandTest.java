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

class VmCommandTest {
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

  /** Each invocation opens its own connection, so each sees a fresh copy of the fixture host. */
  private int run(String... args) throws Exception {
    URL fixture = getClass().getResource("/libvirt/node.xml");
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.addAll(
        List.of(
            "--libvirt-uri", "test://" + Path.of(fixture.toURI()),
            "--config-file", envFile.toString(),
            "--state-dir", dir.toString()));
    return runRaw(all.toArray(new String[0]));
  }

  private int runRaw(String... args) {
    CommandLine cli = VmAgentCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void addressesAndInfoShowEachInterfacesAddressWithItsSource() throws Exception {
    assertThat(run("vm", "addresses", "web-01")).as(err.toString()).isZero();
    assertThat(out.toString())
        .containsPattern("MAC\\s+TYPE\\s+SOURCE\\s+TARGET\\s+MODEL\\s+ADDRESSES")
        .containsPattern(
            "52:54:00:00:00:01\\s+network\\s+default.*192\\.168\\.122\\.2/24 \\(lease\\)");

    out.getBuffer().setLength(0);
    assertThat(run("vm", "info", "web-01")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("192.168.122.2/24 (lease)");
  }

  @Test
  void theChangeCommandsPrintWhatChangedAndRefuseBadInput() throws Exception {
    assertThat(run("vm", "autostart", "db-01", "on")).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("autostart of VM 'db-01' turned on (config)")
        .containsPattern("autostart\\s+off\\s+on");

    out.getBuffer().setLength(0);
    assertThat(run("vm", "set-resources", "db-01", "--vcpus", "3", "--memory-mib", "300"))
        .as(err.toString())
        .isZero();
    assertThat(out.toString())
        .containsPattern("vcpus\\s+\\d+\\s+3")
        .containsPattern("memory\\s+\\d+ MiB\\s+300 MiB")
        .contains("applies at the next start of db-01");

    assertThat(run("vm", "autostart", "db-01", "sometimes")).isEqualTo(ExitCodes.USAGE);
    assertThat(run("vm", "set-resources", "db-01")).isEqualTo(ExitCodes.USAGE);
    assertThat(run("vm", "set-resources", "db-01", "--vcpus", "0")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("INVALID_ARGUMENT");
    assertThat(run("vm", "detach-disk", "db-01", "vdq", "--yes")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("has no disk vdq; nothing changed");
    assertThat(
            run(
                "vm",
                "attach-disk",
                "db-01",
                "--pool",
                "images",
                "--volume",
                "new.qcow2",
                "--size-mib",
                "16",
                "--mode",
                "persistent"))
        .isEqualTo(ExitCodes.FAILED);
    assertThat(err.toString()).contains("UNSUPPORTED");
  }

  @Test
  void listPrintsATableOfEveryVm() throws Exception {
    int exit = run("vm", "list");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .containsPattern("NAME\\s+STATE\\s+REASON")
        .containsPattern("web-01\\s+running")
        .containsPattern("cache-01\\s+paused")
        .containsPattern("pmsuspended-01\\s+pm_suspended")
        .contains("00000001-aaaa-4bbb-8ccc-000000000001");
  }

  @Test
  void infoWithJsonPrintsTheResultTheBackendReceives() throws Exception {
    int exit = run("vm", "info", "web-01", "--json");

    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(exit).isZero();
    assertThat(json.get("operation").asText()).isEqualTo("info");
    assertThat(json.get("vm").get("state").asText()).isEqualTo("running");
    assertThat(json.get("disks").get(0).get("pool").asText()).isEqualTo("images");
  }

  @Test
  void infoPrintsDisksInterfacesAndSnapshots() throws Exception {
    int exit = run("vm", "info", "db-01");

    assertThat(exit).isZero();
    assertThat(out.toString())
        .containsPattern("vda\\s+disk\\s+virtio\\s+qcow2")
        .contains("/srv/unmanaged/db-01-data.raw")
        .contains("52:54:00:00:00:02")
        .containsPattern("state\\s+shut_off");
  }

  @Test
  void infoMarksAnUptimeTheTestDriverCannotTellAsAnEstimate() throws Exception {
    int exit = run("vm", "info", "web-01");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).containsPattern("uptime\\s+~\\d.* \\(from first_seen, estimated\\)");
  }

  @Test
  void stopWithYesShutsTheVmDownAndPrintsTheTransition() throws Exception {
    int exit = run("vm", "stop", "web-01", "--force", "--yes");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).contains("web-01: running -> shut_off (destroy, forced)");
  }

  @Test
  void startOfARunningVmSaysNothingChanged() throws Exception {
    int exit = run("vm", "start", "web-01");

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("already running; nothing changed");
  }

  @Test
  void deleteReportsRemovedVolumesAndKeptDisks() throws Exception {
    int exit = run("vm", "delete", "db-01", "--remove-storage", "--yes");

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("removed volume: /var/lib/vmagent-test/images/db-01.qcow2")
        .contains("kept disk: vdb");
  }

  @Test
  void snapshotCommandsCreateAndList() throws Exception {
    assertThat(run("vm", "snapshot", "create", "idle-01", "--name", "s1", "--description", "x"))
        .isZero();
    assertThat(out.toString()).contains("snapshot create 's1'");
    assertThat(run("vm", "snapshot", "list", "web-01")).isZero();
    assertThat(out.toString()).containsPattern("after-upgrade\\s+2023-11-14T23:13:20Z\\s+running");
  }

  @Test
  void anUnknownVmExitsWithOneAndTheErrorCode() throws Exception {
    int exit = run("vm", "pause", "ghost-01");

    assertThat(exit).isEqualTo(ExitCodes.FAILED);
    assertThat(err.toString()).contains("VM_NOT_FOUND").contains("ghost-01");
  }

  @Test
  void namesWithControlCharactersArePrintedEscapedAndExactInJson() throws Exception {
    // XML 1.0 cannot carry ESC, but CR and the bidi override reach libvirt and the table.
    String fixture =
        Files.readString(Path.of(getClass().getResource("/libvirt/node.xml").toURI()))
            .replace("<name>cache-01</name>", "<name>cache&#13;web-01  running\u202e</name>");
    Path forged = dir.resolve("forged-node.xml");
    Files.writeString(forged, fixture);
    String[] where = {
      "--libvirt-uri", "test://" + forged,
      "--config-file", envFile.toString(),
      "--state-dir", dir.toString()
    };
    List<String> list = new ArrayList<>(List.of("vm", "list"));
    list.addAll(List.of(where));

    assertThat(runRaw(list.toArray(new String[0]))).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("cache\\rweb-01  running\\u202e")
        .doesNotContain("\r")
        .doesNotContain("\u202e");

    out.getBuffer().setLength(0);
    list.add("--json");
    assertThat(runRaw(list.toArray(new String[0]))).as(err.toString()).isZero();
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.get("vms").findValuesAsText("name")).contains("cache\rweb-01  running\u202e");
  }

  @Test
  void anInvalidNameIsAUsageError() throws Exception {
    int exit = run("vm", "start", "../etc");

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("INVALID_ARGUMENT").contains("path character");
  }

  @Test
  void anInvalidStateExitsWithOne() throws Exception {
    int exit = run("vm", "pause", "idle-01");

    assertThat(exit).isEqualTo(ExitCodes.FAILED);
    assertThat(err.toString()).contains("INVALID_STATE");
  }

  @Test
  void healthReportsTheHypervisorAndExitsZero() throws Exception {
    // The load of the machine running the tests is not this test's business.
    int exit = run("health", "--set", "AGENT_HEALTH_LOAD_PER_CORE=0");

    assertThat(exit).isZero();
    assertThat(out.toString())
        .containsPattern("healthy\\s+yes")
        .containsPattern("domains\\s+8")
        .containsPattern("shut_off\\s+3");
  }

  @Test
  void unreachableLibvirtExits69ForOperationsAndHealth() {
    String[] common = {
      "--libvirt-uri", "qemu:///system?socket=/nonexistent/vmagent-cli/sock",
      "--config-file", envFile.toString(),
      "--state-dir", dir.toString()
    };
    List<String> list = new ArrayList<>(List.of("vm", "list"));
    list.addAll(Arrays.asList(common));
    List<String> health = new ArrayList<>(List.of("health", "--json"));
    health.addAll(Arrays.asList(common));

    assertThat(runRaw(list.toArray(new String[0]))).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(err.toString()).contains("libvirt is unavailable");
    assertThat(runRaw(health.toArray(new String[0]))).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(out.toString()).contains("\"healthy\" : false");
  }

  /** With --json, the one error object on standard output; standard error stays empty. */
  private JsonNode jsonError() throws Exception {
    assertThat(err.toString()).isEmpty();
    JsonNode json = new ObjectMapper().readTree(out.toString());
    assertThat(json.fieldNames()).toIterable().containsExactly("error");
    assertThat(json.get("error").fieldNames()).toIterable().containsExactly("code", "message");
    return json.get("error");
  }

  @Test
  void withJsonAMissingArgumentIsAnInvalidArgumentError() throws Exception {
    int exit = run("vm", "info", "--json");

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    JsonNode error = jsonError();
    assertThat(error.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.get("message").asText()).contains("Missing required parameter: 'VM'");
  }

  @Test
  void withJsonAnUnknownOptionIsAnInvalidArgumentError() throws Exception {
    int exit = run("vm", "list", "--json", "--colour");

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    assertThat(jsonError().get("message").asText()).contains("--colour");
  }

  @Test
  void withJsonAnUnknownVmIsAVmNotFoundError() throws Exception {
    int exit = run("vm", "pause", "ghost-01", "--json");

    assertThat(exit).isEqualTo(ExitCodes.FAILED);
    JsonNode error = jsonError();
    assertThat(error.get("code").asText()).isEqualTo("VM_NOT_FOUND");
    assertThat(error.get("message").asText()).contains("ghost-01").doesNotStartWith("VM_");
  }

  @Test
  void withJsonControlCharactersInTheErrorAreEscaped() throws Exception {
    int exit = run("vm", "pause", "ghost\u001b\u202e-01", "--json");

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    assertThat(out.toString()).doesNotContain("\u001b", "\u202e").contains("\\u202E");
    JsonNode error = jsonError();
    assertThat(error.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.get("message").asText()).contains("ghost").doesNotContain("\u001b");
  }

  @Test
  void withJsonUnreachableLibvirtIsALibvirtUnavailableError() throws Exception {
    int exit =
        runRaw(
            "vm",
            "list",
            "--json",
            "--libvirt-uri",
            "qemu:///system?socket=/nonexistent/vmagent-cli/sock",
            "--config-file",
            envFile.toString(),
            "--state-dir",
            dir.toString());

    assertThat(exit).isEqualTo(ExitCodes.UNAVAILABLE);
    JsonNode error = jsonError();
    assertThat(error.get("code").asText()).isEqualTo("LIBVIRT_UNAVAILABLE");
    assertThat(error.get("message").asText()).startsWith("libvirt is unavailable: ");
  }

  @Test
  void withJsonAnInvalidConfigurationExits78WithItsProblems() throws Exception {
    int exit = run("health", "--json", "--set", "AGENT_STOP_TIMEOUT=0");

    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    JsonNode error = jsonError();
    assertThat(error.get("code").asText()).isEqualTo("INVALID_ARGUMENT");
    assertThat(error.get("message").asText())
        .startsWith("invalid configuration:")
        .contains("AGENT_STOP_TIMEOUT=0");
  }

  @Test
  void eachResourceCheckIsARowOfTheTable() throws Exception {
    int exit =
        run(
            "health",
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
        run(
            "health",
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
    int exit = run("health", "--set", "AGENT_HEALTH_MEMORY_AVAILABLE_PERCENT=lots");

    assertThat(exit).isEqualTo(ExitCodes.CONFIG);
    assertThat(err.toString())
        .contains(
            "AGENT_HEALTH_MEMORY_AVAILABLE_PERCENT=lots: expected a number between 0.0 and 100.0");
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
