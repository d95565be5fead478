package io.vmagent.agent.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.agent.config.ResourceThresholds;
import io.vmagent.agent.libvirt.ConnectionState;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.StopOptions;
import io.vmagent.agent.libvirt.TestHost;
import io.vmagent.agent.libvirt.VmOperations;
import io.vmagent.agent.operation.OperationRegistry;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthCheckTest {
  /** Thresholds that no host passes: the tests below are about what is reported, not the host. */
  private static final ResourceThresholds LENIENT = new ResourceThresholds(0, 0, 0, 100, 0);

  @TempDir Path state;
  private LibvirtConnectionManager libvirt;

  @BeforeEach
  void openHost() {
    libvirt = TestHost.connect();
  }

  @AfterEach
  void closeHost() {
    libvirt.close();
  }

  private HealthCheck check(LibvirtConnectionManager manager, ResourceThresholds thresholds) {
    return new HealthCheck(
        manager, new HostResources(state, thresholds, manager, Duration.ofSeconds(5)));
  }

  @Test
  void healthCheckReportsTheHypervisorAndDomainCounts() {
    HealthReport report = check(libvirt, LENIENT).check();

    assertThat(report.healthy()).isTrue();
    assertThat(report.reasons()).isEmpty();
    assertThat(report.connection()).isEqualTo(ConnectionState.CONNECTED);
    assertThat(report.hypervisorType()).isEqualToIgnoringCase("test");
    assertThat(report.libvirtVersion()).matches("\\d+\\.\\d+\\.\\d+");
    assertThat(report.hostName()).isNotBlank();
    assertThat(report.domainsTotal()).isEqualTo(8);
    assertThat(report.domainsByState())
        .containsEntry("running", 2)
        .containsEntry("shut_off", 3)
        .containsEntry("paused", 1)
        .containsEntry("crashed", 1)
        .containsEntry("pm_suspended", 1);
    assertThat(report.latencyMs()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void healthCheckOfAnUnreachableLibvirtReportsUnhealthyWithoutThrowing() {
    try (LibvirtConnectionManager unreachable =
        new LibvirtConnectionManager(
            "qemu:///system?socket=/nonexistent/vmagent-test/sock",
            Duration.ofSeconds(2),
            1,
            Duration.ofSeconds(1),
            Duration.ofSeconds(1))) {
      unreachable.start();

      HealthReport report = check(unreachable, LENIENT).check();

      assertThat(report.healthy()).isFalse();
      assertThat(report.connection()).isEqualTo(ConnectionState.DEGRADED);
      assertThat(report.error()).startsWith("LIBVIRT_UNAVAILABLE");
      assertThat(report.reasons()).singleElement().asString().startsWith("libvirt unreachable: ");
    }
  }

  @Test
  void aResourcePastItsThresholdMakesTheHostUnhealthyWithTheReason() {
    // No file system is ever 100 % free.
    HealthReport report = check(libvirt, new ResourceThresholds(100, 0, 0, 100, 0)).check();

    assertThat(report.healthy()).isFalse();
    assertThat(report.error()).isNull();
    assertThat(report.reasons())
        .first()
        .asString()
        .startsWith("disk_space_low: " + state + " has ")
        .endsWith("(threshold 100%)");
    assertThat(report.resources())
        .filteredOn(c -> c.subject().equals(state.toString()))
        .singleElement()
        .satisfies(c -> assertThat(c.status()).isEqualTo(ResourceCheck.Status.EXCEEDED));
  }

  @Test
  void runsThroughTheRegistryAndSerialisesToSnakeCaseJsonWithEachCheck() throws Exception {
    try (VmOperations ops = new VmOperations(libvirt, Duration.ofSeconds(5))) {
      ops.stop("web-01", StopOptions.forced());
    }
    HealthCheck check = check(libvirt, new ResourceThresholds(5, 5, 0, 100, 0));

    Object result =
        new OperationRegistry(List.of(check.operation()))
            .require("health_check")
            .bind(Map.of())
            .run();
    JsonNode health = new ObjectMapper().valueToTree(result);

    assertThat(result).isInstanceOf(HealthReport.class);
    assertThat(health.get("domains_by_state").get("shut_off").asInt()).isEqualTo(4);
    assertThat(health.get("connection").asText()).isEqualTo("CONNECTED");
    JsonNode first = health.get("resources").get(0);
    assertThat(first.get("check").asText()).isEqualTo("disk_space");
    assertThat(first.get("subject").asText()).isEqualTo(state.toString());
    assertThat(first.get("status").asText()).isIn("ok", "exceeded");
    assertThat(first.get("threshold").asDouble()).isEqualTo(5.0);
    assertThat(first.get("message").asText()).contains("free");
    // The fixture's pool "images" lives at a path this host does not have: libvirt's figures.
    assertThat(health.get("resources").findValuesAsText("subject")).contains("storage pool images");
  }

  private List<ResourceCheck> resources(ResourceThresholds thresholds) {
    return new HostResources(state, thresholds, libvirt, Duration.ofSeconds(5)).check();
  }

  private static ResourceCheck only(
      List<ResourceCheck> checks, ResourceCheck.Check kind, String subject) {
    return checks.stream()
        .filter(c -> c.check() == kind && c.subject().equals(subject))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + kind + " check of " + subject + ": " + checks));
  }

  @Test
  void theStateDirectoryIsMeasuredAsTheFileSystemReportsIt() throws Exception {
    FileStore store = Files.getFileStore(state);
    double freePercent = store.getUsableSpace() * 100.0 / store.getTotalSpace();

    List<ResourceCheck> checks = resources(new ResourceThresholds(5, 5, 0, 100, 0));

    ResourceCheck space = only(checks, ResourceCheck.Check.DISK_SPACE, state.toString());
    assertThat(space.value()).isCloseTo(freePercent, within(0.5));
    assertThat(space.threshold()).isEqualTo(5);
    assertThat(only(checks, ResourceCheck.Check.DISK_INODES, state.toString()).value())
        .isBetween(0.0, 100.0);
  }

  @Test
  void aStateDirectoryNotYetCreatedIsMeasuredOnTheFileSystemItWillBeCreatedOn() {
    Path missing = state.resolve("not/yet");

    List<ResourceCheck> checks =
        new HostResources(
                missing, new ResourceThresholds(100, 0, 0, 100, 0), libvirt, Duration.ofSeconds(5))
            .check();

    assertThat(only(checks, ResourceCheck.Check.DISK_SPACE, missing.toString()).reason())
        .startsWith("disk_space_low: " + missing + " has ");
  }

  @Test
  void aStoragePoolRunningOutOfSpaceIsDiskSpaceLow() {
    // The fixture's pool holds 100 GiB with 8 GiB allocated; a 90 GiB volume leaves 2 %.
    libvirt.withConnection(
        "create a volume",
        c ->
            c.storagePoolLookupByName("images")
                .storageVolCreateXML(
                    "<volume><name>big.img</name><capacity unit='GiB'>90</capacity>"
                        + "<allocation unit='GiB'>90</allocation></volume>",
                    0));

    ResourceCheck pool =
        only(
            resources(new ResourceThresholds(5, 5, 0, 100, 0)),
            ResourceCheck.Check.DISK_SPACE,
            "storage pool images");

    assertThat(pool.status()).isEqualTo(ResourceCheck.Status.EXCEEDED);
    assertThat(pool.reason())
        .isEqualTo(
            "disk_space_low: storage pool images has 2.0% free, 2.0 GiB of 100.0 GiB (threshold"
                + " 5%)");
  }

  @Test
  void memoryAndLoadAreHeldAgainstTheirThresholds() {
    // Never is all of the memory available; no host has a load of 1000 per core.
    List<ResourceCheck> checks = resources(new ResourceThresholds(0, 0, 100, 100, 1000));

    ResourceCheck memory = only(checks, ResourceCheck.Check.MEMORY_AVAILABLE, "memory");
    ResourceCheck load = only(checks, ResourceCheck.Check.LOAD_PER_CORE, "load");
    assertThat(memory.status()).isEqualTo(ResourceCheck.Status.EXCEEDED);
    assertThat(memory.reason()).startsWith("memory_low: memory has ").endsWith("(threshold 100%)");
    assertThat(load.status()).isEqualTo(ResourceCheck.Status.OK);
    assertThat(load.message()).contains("cores is").endsWith("per core (threshold 1000)");
  }

  @Test
  void thresholdsThatTurnTheChecksOffRunNone() {
    assertThat(resources(new ResourceThresholds(0, 0, 0, 100, 0))).isEmpty();
  }

  @Test
  void aReasonIsReportedAtEveryRoundWhileItLasts() {
    HostResources resources =
        new HostResources(
            state, new ResourceThresholds(100, 0, 0, 100, 0), libvirt, Duration.ofSeconds(5));

    assertThat(resources.problems()).anyMatch(r -> r.startsWith("disk_space_low: " + state));
    assertThat(resources.problems()).anyMatch(r -> r.startsWith("disk_space_low: " + state));
  }
}
