package io.vmagent.agent.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vmagent.agent.config.ResourceThresholds;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.TestHost;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostResourcesTest {
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

  private List<ResourceCheck> check(ResourceThresholds thresholds) {
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

    List<ResourceCheck> checks = check(new ResourceThresholds(5, 5, 0, 100, 0));

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
            check(new ResourceThresholds(5, 5, 0, 100, 0)),
            ResourceCheck.Check.DISK_SPACE,
            "storage pool images");

    assertThat(pool.status()).isEqualTo(ResourceCheck.Status.EXCEEDED);
    assertThat(pool.reason())
        .isEqualTo(
            "disk_space_low: storage pool images has 2.0% free, 2.0 GiB of 100.0 GiB (threshold"
                + " 5%)");
  }

  @Test
  void memoryIsHeldAgainstItsThreshold() {
    // Never is all of the memory available.
    ResourceCheck memory =
        only(
            check(new ResourceThresholds(0, 0, 100, 100, 0)),
            ResourceCheck.Check.MEMORY_AVAILABLE,
            "memory");

    assertThat(memory.status()).isEqualTo(ResourceCheck.Status.EXCEEDED);
    assertThat(memory.reason()).startsWith("memory_low: ").endsWith("(threshold 100%)");
  }

  @Test
  void loadIsReportedPerCore() {
    ResourceCheck load =
        only(
            check(new ResourceThresholds(0, 0, 0, 100, 1000)),
            ResourceCheck.Check.LOAD_PER_CORE,
            "load");

    assertThat(load.status()).isEqualTo(ResourceCheck.Status.OK);
    assertThat(load.message()).contains("cores is").endsWith("per core (threshold 1000)");
  }

  @Test
  void thresholdsThatTurnTheChecksOffRunNone() {
    assertThat(check(new ResourceThresholds(0, 0, 0, 100, 0))).isEmpty();
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
