package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.vmagent.protocol.ErrorCode;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VmOperationsTest {
  private static final String WEB_UUID = "00000001-aaaa-4bbb-8ccc-000000000001";

  private LibvirtConnectionManager libvirt;
  private VmOperations ops;

  @BeforeEach
  void openHost() {
    libvirt = TestHost.connect();
    ops = new VmOperations(libvirt, Duration.ofSeconds(5));
  }

  @AfterEach
  void closeHost() {
    ops.close();
    libvirt.close();
  }

  private VmState stateOf(String vm) {
    return ops.info(vm, false).vm().state();
  }

  private List<String> poolVolumes() {
    return libvirt.withConnection(
        "list volumes", c -> Arrays.asList(c.storagePoolLookupByName("images").listVolumes()));
  }

  private static void assertCode(Runnable call, ErrorCode code, String messagePart) {
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(call::run)
        .satisfies(e -> assertThat(e.code()).isEqualTo(code))
        .withMessageContaining(messagePart);
  }

  @Test
  void listReportsEveryDomainInEveryState() {
    VmList list = ops.list();

    assertThat(list.count()).isEqualTo(8);
    assertThat(list.vms())
        .extracting(VmSummary::name, VmSummary::state, VmSummary::persistent)
        .containsExactly(
            tuple("cache-01", VmState.PAUSED, true),
            tuple("crashed-01", VmState.CRASHED, true),
            tuple("db-01", VmState.SHUT_OFF, true),
            tuple("idle-01", VmState.SHUT_OFF, true),
            tuple("pmsuspended-01", VmState.PM_SUSPENDED, true),
            tuple("saved-01", VmState.SHUT_OFF, true),
            tuple("transient-01", VmState.RUNNING, false),
            tuple("web-01", VmState.RUNNING, true));
    VmSummary web = list.vms().get(7);
    assertThat(web.uuid()).isEqualTo(WEB_UUID);
    assertThat(web.vcpus()).isEqualTo(2);
    assertThat(web.maxMemoryKib()).isEqualTo(262144);
    assertThat(web.memoryKib()).isEqualTo(131072);
    assertThat(web.id()).isNotNull();
    assertThat(list.vms().get(2).id()).isNull();
    assertThat(list.vms().get(2).stateReason()).isNotBlank();
  }

  @Test
  void infoReportsDisksInterfacesAndSnapshots() {
    VmDetails web = ops.info("web-01", false);

    assertThat(web.vm().name()).isEqualTo("web-01");
    assertThat(web.osType()).isEqualTo("hvm");
    assertThat(web.disks())
        .singleElement()
        .satisfies(
            disk -> {
              assertThat(disk.target()).isEqualTo("vda");
              assertThat(disk.bus()).isEqualTo("virtio");
              assertThat(disk.format()).isEqualTo("qcow2");
              assertThat(disk.source()).isEqualTo("/var/lib/vmagent-test/images/web-01.qcow2");
              assertThat(disk.pool()).isEqualTo("images");
              assertThat(disk.volume()).isEqualTo("web-01.qcow2");
              assertThat(disk.capacityBytes()).isEqualTo(10_737_418_240L);
              assertThat(disk.allocationBytes()).isEqualTo(2_147_483_648L);
            });
    // The test driver names the host side of a running VM's interfaces testnetN, as QEMU does
    // vnetN.
    assertThat(web.interfaces())
        .containsExactly(
            new InterfaceInfo(
                "52:54:00:00:00:01",
                "network",
                "default",
                "testnet0",
                "virtio",
                List.of(new IpAddress("192.168.122.2", 24, "ipv4", "lease"))));
    assertThat(web.snapshots())
        .extracting(SnapshotInfo::name, SnapshotInfo::parent, SnapshotInfo::current)
        .containsExactly(
            tuple("before-upgrade", null, false), tuple("after-upgrade", "before-upgrade", true));
    assertThat(web.snapshots().get(0).creationTime()).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(web.snapshots().get(0).description()).isEqualTo("Taken before the upgrade");
    assertThat(web.currentSnapshot()).isEqualTo("after-upgrade");
    assertThat(web.xml()).isNull();
  }

  @Test
  void infoKeepsDisksOutsideStoragePoolsWithoutAPool() {
    VmDetails db = ops.info("db-01", false);

    assertThat(db.disks())
        .extracting(DiskInfo::target, DiskInfo::pool)
        .containsExactly(tuple("vda", "images"), tuple("vdb", null));
    assertThat(db.interfaces())
        .extracting(InterfaceInfo::type, InterfaceInfo::source, InterfaceInfo::model)
        .containsExactly(tuple("bridge", "br0", "e1000"));
    assertThat(db.uptimeSeconds()).isNull();
  }

  @Test
  void infoByUuidMatchesInfoByNameInAnyCase() {
    VmDetails byName = ops.info("web-01", false);
    VmDetails byUuid = ops.info(WEB_UUID.toUpperCase(Locale.ROOT), false);

    assertThat(byUuid.vm()).isEqualTo(byName.vm());
    assertThat(byUuid.disks()).isEqualTo(byName.disks());
  }

  @Test
  void infoIncludesTheDomainXmlOnlyWhenAsked() {
    assertThat(ops.info("web-01", true).xml()).contains("<name>web-01</name>");
    assertThat(ops.info("web-01", false).xml()).isNull();
  }

  @Test
  void uptimeIsKnownOnceTheAgentSawTheStart() {
    ops.start("idle-01");

    VmDetails idle = ops.info("idle-01", false);

    assertThat(idle.uptimeSeconds()).isBetween(0L, 5L);
    assertThat(idle.uptimeSource()).isEqualTo("event");
    assertThat(idle.startedAt()).isNotNull();
  }

  @Test
  void startStartsAShutOffVmAndIsIdempotent() {
    LifecycleResult first = ops.start("idle-01");
    LifecycleResult second = ops.start("idle-01");

    assertThat(first.changed()).isTrue();
    assertThat(first.stateBefore()).isEqualTo(VmState.SHUT_OFF);
    assertThat(first.stateAfter()).isEqualTo(VmState.RUNNING);
    assertThat(second.changed()).isFalse();
    assertThat(second.stateBefore()).isEqualTo(VmState.RUNNING);
    assertThat(second.stateAfter()).isEqualTo(VmState.RUNNING);
    assertThat(second.message()).contains("already running");
  }

  @Test
  void startOfAPausedVmIsAnInvalidStateAndChangesNothing() {
    assertCode(() -> ops.start("cache-01"), ErrorCode.INVALID_STATE, "resume it instead");
    assertThat(stateOf("cache-01")).isEqualTo(VmState.PAUSED);
  }

  @Test
  void startOfACrashedVmIsAnInvalidState() {
    assertCode(() -> ops.start("crashed-01"), ErrorCode.INVALID_STATE, "crashed");
    assertThat(stateOf("crashed-01")).isEqualTo(VmState.CRASHED);
  }

  @Test
  void gracefulStopShutsDownARunningVmAndIsIdempotent() {
    LifecycleResult first = ops.stop("web-01", StopOptions.graceful());
    LifecycleResult second = ops.stop("web-01", StopOptions.graceful());

    assertThat(first)
        .extracting(
            LifecycleResult::changed,
            LifecycleResult::method,
            LifecycleResult::forced,
            LifecycleResult::stateBefore,
            LifecycleResult::stateAfter)
        .containsExactly(true, "acpi_shutdown", false, VmState.RUNNING, VmState.SHUT_OFF);
    assertThat(second.changed()).isFalse();
    assertThat(second.stateAfter()).isEqualTo(VmState.SHUT_OFF);
  }

  @Test
  void forcedStopDestroys() {
    LifecycleResult result = ops.stop("web-01", StopOptions.forced());

    assertThat(result.method()).isEqualTo("destroy");
    assertThat(result.forced()).isTrue();
    assertThat(result.stateAfter()).isEqualTo(VmState.SHUT_OFF);
  }

  @Test
  void gracefulStopOfAPausedVmNeedsForce() {
    assertCode(
        () -> ops.stop("cache-01", StopOptions.graceful()), ErrorCode.INVALID_STATE, "paused");
    assertThat(stateOf("cache-01")).isEqualTo(VmState.PAUSED);

    LifecycleResult forced =
        ops.stop("cache-01", new StopOptions(false, Duration.ofSeconds(1), true));

    assertThat(forced.forced()).isTrue();
    assertThat(forced.stateAfter()).isEqualTo(VmState.SHUT_OFF);
  }

  @Test
  void stoppingATransientVmLeavesItUndefined() {
    LifecycleResult result = ops.stop("transient-01", StopOptions.forced());

    assertThat(result.stateAfter()).isEqualTo(VmState.UNDEFINED);
    assertCode(() -> ops.info("transient-01", false), ErrorCode.VM_NOT_FOUND, "transient-01");
  }

  @Test
  void restartOfARunningVmReboots() {
    LifecycleResult result = ops.restart("web-01", StopOptions.graceful());

    assertThat(result.method()).isEqualTo("reboot");
    assertThat(result.forced()).isFalse();
    assertThat(result.stateBefore()).isEqualTo(VmState.RUNNING);
    assertThat(result.stateAfter()).isEqualTo(VmState.RUNNING);
  }

  @Test
  void restartOfAShutOffVmStartsIt() {
    LifecycleResult result = ops.restart("idle-01", StopOptions.graceful());

    assertThat(result.method()).isEqualTo("start");
    assertThat(result.stateAfter()).isEqualTo(VmState.RUNNING);
  }

  @Test
  void forcedRestartDestroysAndStarts() {
    int idBefore = ops.info("web-01", false).vm().id();

    LifecycleResult result = ops.restart("web-01", StopOptions.forced());

    assertThat(result.method()).isEqualTo("destroy_and_start");
    assertThat(result.forced()).isTrue();
    assertThat(result.stateAfter()).isEqualTo(VmState.RUNNING);
    assertThat(ops.info("web-01", false).vm().id()).isNotEqualTo(idBefore);
  }

  @Test
  void restartOfAPausedVmNeedsForce() {
    assertCode(
        () -> ops.restart("cache-01", StopOptions.graceful()), ErrorCode.INVALID_STATE, "force");
    assertThat(stateOf("cache-01")).isEqualTo(VmState.PAUSED);
  }

  @Test
  void pauseAndResumeAreIdempotent() {
    LifecycleResult paused = ops.pause("web-01");
    LifecycleResult pausedAgain = ops.pause("web-01");
    LifecycleResult resumed = ops.resume("web-01");
    LifecycleResult resumedAgain = ops.resume("web-01");

    assertThat(paused.changed()).isTrue();
    assertThat(paused.stateAfter()).isEqualTo(VmState.PAUSED);
    assertThat(pausedAgain.changed()).isFalse();
    assertThat(pausedAgain.stateBefore()).isEqualTo(VmState.PAUSED);
    assertThat(resumed.changed()).isTrue();
    assertThat(resumed.stateAfter()).isEqualTo(VmState.RUNNING);
    assertThat(resumedAgain.changed()).isFalse();
  }

  @Test
  void pauseAndResumeOfAShutOffVmAreInvalidStates() {
    assertCode(() -> ops.pause("idle-01"), ErrorCode.INVALID_STATE, "shut_off");
    assertCode(() -> ops.resume("idle-01"), ErrorCode.INVALID_STATE, "shut_off");
    assertCode(() -> ops.resume("pmsuspended-01"), ErrorCode.INVALID_STATE, "pm_suspended");
    assertThat(stateOf("idle-01")).isEqualTo(VmState.SHUT_OFF);
  }

  @Test
  void deleteWithoutRemoveStorageKeepsEveryDisk() {
    LifecycleResult result = ops.delete("db-01", false);

    assertThat(result.stateBefore()).isEqualTo(VmState.SHUT_OFF);
    assertThat(result.stateAfter()).isEqualTo(VmState.UNDEFINED);
    assertThat(result.removedVolumes()).isEmpty();
    assertThat(result.keptDisks()).hasSize(2);
    assertThat(ops.list().vms()).extracting(VmSummary::name).doesNotContain("db-01");
    assertThat(poolVolumes()).contains("db-01.qcow2");
  }

  @Test
  void deleteWithRemoveStorageRemovesOnlyPoolVolumes() {
    LifecycleResult result = ops.delete("db-01", true);

    assertThat(result.removedVolumes()).containsExactly("/var/lib/vmagent-test/images/db-01.qcow2");
    assertThat(result.keptDisks())
        .singleElement()
        .asString()
        .contains("vdb")
        .contains("not a volume of a libvirt storage pool");
    assertThat(result.storageErrors()).isNull();
    assertThat(poolVolumes())
        .doesNotContain("db-01.qcow2")
        .contains("orphan.qcow2", "web-01.qcow2");
  }

  @Test
  void deleteOfARunningVmWithSnapshotsDestroysAndUndefinesIt() {
    LifecycleResult result = ops.delete("web-01", true);

    assertThat(result.stateBefore()).isEqualTo(VmState.RUNNING);
    assertThat(result.forced()).isTrue();
    assertThat(result.removedVolumes()).hasSize(1);
    assertCode(() -> ops.info("web-01", false), ErrorCode.VM_NOT_FOUND, "web-01");
  }

  @Test
  void deleteOfARunningTransientVmDestroysIt() {
    LifecycleResult result = ops.delete("transient-01", false);

    assertThat(result.method()).isEqualTo("destroy");
    assertThat(result.stateAfter()).isEqualTo(VmState.UNDEFINED);
    assertThat(ops.list().vms()).extracting(VmSummary::name).doesNotContain("transient-01");
  }

  @Test
  void deleteRemovesAManagedSaveImage() {
    assertThat(ops.info("saved-01", false).hasManagedSave()).isTrue();

    ops.delete("saved-01", false);

    assertThat(ops.list().vms()).extracting(VmSummary::name).doesNotContain("saved-01");
  }

  @Test
  void deleteOfAnUnknownVmIsNotFoundAndChangesNothing() {
    assertCode(() -> ops.delete("ghost-01", true), ErrorCode.VM_NOT_FOUND, "ghost-01");
    assertThat(ops.list().count()).isEqualTo(8);
    assertThat(poolVolumes()).hasSize(4);
  }

  @Test
  void snapshotsCanBeCreatedListedRevertedAndDeleted() {
    SnapshotResult created = ops.snapshotCreate("idle-01", "s1", "first <one> & only", null);
    assertThat(created.changed()).isTrue();
    assertThat(created.snapshot()).isEqualTo("s1");

    SnapshotResult listed = ops.snapshotList("idle-01");
    assertThat(listed.snapshots())
        .extracting(SnapshotInfo::name)
        .containsExactlyInAnyOrder("clean", "s1");
    assertThat(listed.snapshots())
        .filteredOn(s -> s.name().equals("s1"))
        .singleElement()
        .satisfies(s -> assertThat(s.description()).isEqualTo("first <one> & only"));

    SnapshotResult reverted = ops.snapshotRevert("idle-01", "clean");
    assertThat(reverted.changed()).isTrue();
    assertThat(ops.info("idle-01", false).currentSnapshot()).isEqualTo("clean");

    SnapshotResult deleted = ops.snapshotDelete("idle-01", "s1");
    SnapshotResult deletedAgain = ops.snapshotDelete("idle-01", "s1");
    assertThat(deleted.changed()).isTrue();
    assertThat(deletedAgain.changed()).isFalse();
    assertThat(ops.snapshotList("idle-01").snapshots())
        .extracting(SnapshotInfo::name)
        .containsExactly("clean");
  }

  @Test
  void snapshotOfARunningVmCanBeRevertedToAfterAStop() {
    ops.snapshotCreate("web-01", "live", null, true);
    ops.stop("web-01", StopOptions.forced());

    SnapshotResult reverted = ops.snapshotRevert("web-01", "live");

    assertThat(reverted.stateBefore()).isEqualTo(VmState.SHUT_OFF);
    assertThat(reverted.stateAfter()).isEqualTo(VmState.RUNNING);
  }

  @Test
  void duplicateSnapshotNamesAreRefused() {
    assertCode(
        () -> ops.snapshotCreate("web-01", "before-upgrade", null, null),
        ErrorCode.INVALID_STATE,
        "already has a snapshot");
    assertThat(ops.snapshotList("web-01").snapshots()).hasSize(2);
  }

  @Test
  void snapshotWithMemoryOfAShutOffVmIsAnInvalidState() {
    assertCode(
        () -> ops.snapshotCreate("idle-01", "mem", null, true),
        ErrorCode.INVALID_STATE,
        "no memory state");
    assertThat(ops.snapshotList("idle-01").snapshots()).hasSize(1);
  }

  @Test
  void revertingToAnUnknownSnapshotIsAnInvalidArgument() {
    assertCode(
        () -> ops.snapshotRevert("web-01", "nope"),
        ErrorCode.INVALID_ARGUMENT,
        "no snapshot named");
    assertThat(ops.info("web-01", false).currentSnapshot()).isEqualTo("after-upgrade");
  }

  @Test
  void operationsOnAnUnreachableLibvirtFailWithLibvirtUnavailable() {
    try (LibvirtConnectionManager unreachable =
            new LibvirtConnectionManager(
                "qemu:///system?socket=/nonexistent/vmagent-test/sock",
                Duration.ofSeconds(2),
                1,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1));
        VmOperations offline = new VmOperations(unreachable, Duration.ofSeconds(5))) {
      unreachable.start();

      assertCode(() -> offline.list(), ErrorCode.LIBVIRT_UNAVAILABLE, "unavailable");
    }
  }
}
