package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmagent.agent.config.ResourceThresholds;
import io.vmagent.agent.health.HealthCheck;
import io.vmagent.agent.health.HealthReport;
import io.vmagent.agent.health.HostResources;
import io.vmagent.agent.libvirt.create.DomainBuilder;
import io.vmagent.agent.testing.RealHypervisor;
import io.vmagent.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.libvirt.StorageVol;

/**
 * The operations on a real libvirt daemon with QEMU (TCG), started by {@code bin/test}; skipped
 * when {@code VMAGENT_SYSTEM_LIBVIRT_URI} is unset. Prints the latencies it measures.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VmOperationsSystemTest {
  private static RealHypervisor hypervisor;
  private static LibvirtConnectionManager libvirt;
  private static VmOperations ops;
  private static final List<VmLifecycleEvent> events = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void connect() throws Exception {
    hypervisor = RealHypervisor.open();
    hypervisor.cleanUp();
    libvirt =
        new LibvirtConnectionManager(
            hypervisor.uri(),
            Duration.ofSeconds(30),
            4,
            Duration.ofMillis(100),
            Duration.ofSeconds(1));
    assertThat(libvirt.start()).isEqualTo(ConnectionState.CONNECTED);
    libvirt.subscribe(events::add);
    ops = new VmOperations(libvirt, Duration.ofSeconds(30));
  }

  @AfterAll
  static void disconnect() throws Exception {
    if (ops != null) {
      ops.close();
    }
    if (libvirt != null) {
      libvirt.close();
    }
    if (hypervisor != null) {
      hypervisor.close();
    }
  }

  /**
   * The health check with the resource thresholds off: these tests are about libvirt, and the
   * machine running them may be loaded.
   */
  private static HealthReport healthCheck() {
    HostResources resources =
        new HostResources(
            Path.of("/"), new ResourceThresholds(0, 0, 0, 100, 0), libvirt, Duration.ofSeconds(30));
    return new HealthCheck(libvirt, resources).check();
  }

  private static void figure(String name, long millis) {
    System.out.printf("system-test figure: %s = %d ms%n", name, millis);
  }

  private static int banners(Path serial) throws Exception {
    if (!Files.exists(serial)) {
      return 0;
    }
    String text = Files.readString(serial);
    return text.split("tinyguest: up", -1).length - 1;
  }

  private static void awaitBanners(String vm, int count) throws Exception {
    Path serial = hypervisor.serialLog(vm);
    assertThat(RealHypervisor.await(Duration.ofSeconds(30), () -> banners(serial) >= count))
        .as("guest %s printed its banner %d times", vm, count)
        .isTrue();
  }

  private static List<String> eventsOf(String uuid) {
    return events.stream()
        .filter(e -> uuid.equals(e.uuid()))
        .map(e -> e.type() + "/" + e.detail())
        .toList();
  }

  @Test
  @Order(1)
  void anAcpiGuestGoesThroughEveryOperation() throws Exception {
    String vm = RealHypervisor.PREFIX + "acpi";
    StorageVol disk = hypervisor.acpiGuestDisk(RealHypervisor.PREFIX + "acpi.qcow2");
    long defineStarted = System.nanoTime();
    hypervisor.defineVm(vm, disk, true);
    figure("first define (QEMU probing)", (System.nanoTime() - defineStarted) / 1_000_000);

    LifecycleResult started = ops.start(vm);
    figure("start", started.durationMs());
    assertThat(started.changed()).isTrue();
    assertThat(started.stateAfter()).isEqualTo(VmState.RUNNING);
    assertThat(ops.start(vm).changed()).isFalse();
    awaitBanners(vm, 1);

    VmDetails info = ops.info(vm, true);
    assertThat(info.disks())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.pool()).isEqualTo(RealHypervisor.POOL);
              assertThat(d.capacityBytes()).isEqualTo(64L << 20);
            });
    assertThat(info.interfaces())
        .singleElement()
        .satisfies(n -> assertThat(n.type()).isEqualTo("ethernet"));
    assertThat(info.uptimeSource()).isEqualTo("process");
    assertThat(info.uptimeSeconds()).isBetween(0L, 60L);
    assertThat(info.xml()).contains("<domain type='qemu'");

    LifecycleResult paused = ops.pause(vm);
    figure("pause", paused.durationMs());
    assertThat(paused.stateAfter()).isEqualTo(VmState.PAUSED);
    LifecycleResult resumed = ops.resume(vm);
    figure("resume", resumed.durationMs());
    assertThat(resumed.stateAfter()).isEqualTo(VmState.RUNNING);

    SnapshotResult live = ops.snapshotCreate(vm, "live", "taken while running", null);
    figure("snapshot create (running, with memory)", live.durationMs());

    LifecycleResult restarted =
        ops.restart(vm, new StopOptions(false, Duration.ofSeconds(30), false));
    figure("restart (ACPI guest, graceful)", restarted.durationMs());
    assertThat(restarted.method()).startsWith("reboot");
    assertThat(restarted.forced()).isFalse();
    assertThat(restarted.stateAfter()).isEqualTo(VmState.RUNNING);
    awaitBanners(vm, 2);

    LifecycleResult stopped = ops.stop(vm, new StopOptions(false, Duration.ofSeconds(30), false));
    figure("stop (ACPI guest, graceful)", stopped.durationMs());
    assertThat(stopped.method()).isEqualTo("acpi_shutdown");
    assertThat(stopped.forced()).isFalse();
    assertThat(stopped.stateAfter()).isEqualTo(VmState.SHUT_OFF);
    assertThat(ops.stop(vm, StopOptions.graceful()).changed()).isFalse();

    SnapshotResult off = ops.snapshotCreate(vm, "off", null, null);
    figure("snapshot create (shut off)", off.durationMs());
    assertThat(ops.snapshotList(vm).snapshots())
        .extracting(SnapshotInfo::name, SnapshotInfo::hasMemory)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("live", true),
            org.assertj.core.groups.Tuple.tuple("off", false));

    SnapshotResult reverted = ops.snapshotRevert(vm, "live");
    figure("snapshot revert (to running)", reverted.durationMs());
    assertThat(reverted.stateBefore()).isEqualTo(VmState.SHUT_OFF);
    assertThat(reverted.stateAfter()).isEqualTo(VmState.RUNNING);
    assertThat(ops.snapshotDelete(vm, "off").changed()).isTrue();
    assertThat(ops.snapshotDelete(vm, "off").changed()).isFalse();

    String uuid = started.uuid();
    assertThat(RealHypervisor.await(Duration.ofSeconds(5), () -> eventsOf(uuid).size() >= 6))
        .isTrue();
    assertThat(eventsOf(uuid))
        .contains("started/booted", "suspended/paused", "resumed/unpaused", "stopped/shutdown");

    LifecycleResult deleted = ops.delete(vm, true);
    figure("delete (running, with snapshot, remove storage)", deleted.durationMs());
    assertThat(deleted.stateBefore()).isEqualTo(VmState.RUNNING);
    assertThat(deleted.removedVolumes()).singleElement().asString().endsWith("acpi.qcow2");
    assertThat(hypervisor.hasVolume(RealHypervisor.PREFIX + "acpi.qcow2")).isFalse();
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> ops.info(vm, false))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.VM_NOT_FOUND));
  }

  @Test
  @Order(2)
  void stopTimesOutThenForcesAGuestThatIgnoresAcpi() throws Exception {
    String vm = RealHypervisor.PREFIX + "deaf-stop";
    hypervisor.defineVm(vm, hypervisor.blankDisk(vm + ".qcow2"), false);
    ops.start(vm);

    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> ops.stop(vm, new StopOptions(false, Duration.ofSeconds(2), false)))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT))
        .withMessageContaining("nothing was forced");
    assertThat(ops.info(vm, false).vm().state()).isEqualTo(VmState.RUNNING);

    LifecycleResult forced = ops.stop(vm, new StopOptions(false, Duration.ofSeconds(2), true));

    figure("stop (guest ignores ACPI, 2 s timeout, then destroy)", forced.durationMs());
    assertThat(forced.method()).isEqualTo("acpi_shutdown_then_destroy");
    assertThat(forced.forced()).isTrue();
    assertThat(forced.durationMs()).isGreaterThanOrEqualTo(2000);
    assertThat(forced.stateAfter()).isEqualTo(VmState.SHUT_OFF);
  }

  @Test
  @Order(3)
  void restartOfAGuestThatIgnoresAcpiIsForcedAfterTheTimeout() throws Exception {
    String vm = RealHypervisor.PREFIX + "deaf-restart";
    hypervisor.defineVm(vm, hypervisor.blankDisk(vm + ".qcow2"), false);
    ops.start(vm);
    int idBefore = ops.info(vm, false).vm().id();

    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> ops.restart(vm, new StopOptions(false, Duration.ofSeconds(2), false)))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT));
    LifecycleResult forced = ops.restart(vm, new StopOptions(false, Duration.ofSeconds(2), true));

    figure(
        "restart (guest ignores ACPI, 2 s timeout, then destroy and start)", forced.durationMs());
    assertThat(forced.method()).isEqualTo("reboot_then_destroy_and_start");
    assertThat(forced.forced()).isTrue();
    assertThat(forced.stateAfter()).isEqualTo(VmState.RUNNING);
    assertThat(ops.info(vm, false).vm().id()).isNotEqualTo(idBefore);

    LifecycleResult destroyed = ops.stop(vm, StopOptions.forced());
    figure("stop (force)", destroyed.durationMs());
  }

  @Test
  @Order(4)
  void deleteWithoutRemoveStorageKeepsTheVolume() throws Exception {
    String vm = RealHypervisor.PREFIX + "keep";
    hypervisor.defineVm(vm, hypervisor.blankDisk(vm + ".qcow2"), false);
    ops.snapshotCreate(vm, "s", null, null);

    LifecycleResult deleted = ops.delete(vm, false);

    assertThat(deleted.removedVolumes()).isEmpty();
    assertThat(deleted.keptDisks())
        .singleElement()
        .asString()
        .contains("remove_storage not requested");
    assertThat(hypervisor.hasVolume(vm + ".qcow2")).isTrue();
    assertThat(ops.list().vms()).extracting(VmSummary::name).doesNotContain(vm);
  }

  @Test
  @Order(5)
  void healthCheckReportsQemu() {
    HealthReport report = healthCheck();

    figure("health_check", report.latencyMs());
    assertThat(report.healthy()).isTrue();
    assertThat(report.hypervisorType()).isEqualTo("QEMU");
    assertThat(report.hypervisorVersion()).startsWith("7.");
  }

  @Test
  @Order(7)
  void aLibvirtdRestartUnderALiveManagerIsSurvived() throws Exception {
    String vm = RealHypervisor.PREFIX + "survivor";
    hypervisor.defineVm(vm, hypervisor.blankDisk(vm + ".qcow2"), false);
    ops.start(vm);
    int id = ops.info(vm, false).vm().id();
    List<ConnectionState> states = new CopyOnWriteArrayList<>();
    libvirt.onStateChange(states::add);
    long reconnectsBefore = libvirt.reconnects();

    // An operation in flight when the daemon goes away: a graceful stop of a guest that ignores
    // ACPI, polling for up to 60 s. It must fail promptly with a clear error, not hang.
    CompletableFuture<LifecycleResult> inFlight =
        CompletableFuture.supplyAsync(
            () -> ops.stop(vm, new StopOptions(false, Duration.ofSeconds(60), false)));
    Thread.sleep(500);

    long stopped = System.nanoTime();
    hypervisor.control("daemon-stop");
    boolean noticed =
        RealHypervisor.await(
            Duration.ofSeconds(20), () -> libvirt.state() == ConnectionState.DEGRADED);
    figure("libvirtd stopped -> manager degraded", (System.nanoTime() - stopped) / 1_000_000);
    assertThat(noticed).isTrue();
    assertThatExceptionOfType(ExecutionException.class)
        .isThrownBy(() -> inFlight.get(10, TimeUnit.SECONDS))
        .havingCause()
        .isInstanceOfSatisfying(
            VmOperationException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.LIBVIRT_UNAVAILABLE));
    figure("libvirtd stopped -> in-flight stop failed", (System.nanoTime() - stopped) / 1_000_000);
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> ops.list())
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.LIBVIRT_UNAVAILABLE));
    assertThat(healthCheck().healthy()).isFalse();

    long restarted = System.nanoTime();
    hypervisor.control("daemon-start");
    boolean back =
        RealHypervisor.await(
            Duration.ofSeconds(20), () -> libvirt.state() == ConnectionState.CONNECTED);
    figure("libvirtd started -> manager connected", (System.nanoTime() - restarted) / 1_000_000);
    assertThat(back).isTrue();
    hypervisor.reconnect();

    VmDetails after = ops.info(vm, false);
    assertThat(after.vm().state()).isEqualTo(VmState.RUNNING);
    assertThat(after.vm().id()).isEqualTo(id);
    assertThat(libvirt.reconnects()).isGreaterThan(reconnectsBefore);
    assertThat(states).containsSubsequence(ConnectionState.DEGRADED, ConnectionState.CONNECTED);
    assertThat(ops.stop(vm, StopOptions.forced()).stateAfter()).isEqualTo(VmState.SHUT_OFF);
  }

  @Test
  @Order(7)
  void everydayChangesOnARunningGuest() throws Exception {
    String vm = RealHypervisor.PREFIX + "changes";
    String volume = RealHypervisor.PREFIX + "changes-data.qcow2";
    hypervisor.defineVm(vm, hypervisor.blankDisk(vm + ".qcow2"), true);
    ops.start(vm);

    // Its one interface is a plain tap (type ethernet): no libvirt network, so no lease; the
    // guest is a boot sector, so no guest agent and no traffic for the ARP table either.
    VmAddresses addresses = ops.addresses(vm);
    assertThat(addresses.interfaces())
        .singleElement()
        .satisfies(
            nic -> {
              assertThat(nic.mac()).matches("52:54:00(:[0-9a-f]{2}){3}");
              assertThat(nic.type()).isEqualTo("ethernet");
              assertThat(nic.addresses()).isEmpty();
            });

    ChangeResult attached =
        ops.attachDisk(new VmParams.AttachDisk(vm, RealHypervisor.POOL, volume, 16L, null, null));
    figure("attach_disk (new 16 MiB volume, live and config)", attached.durationMs());
    assertThat(attached.method()).isEqualTo("live_and_config");
    assertThat(attached.after().liveDisks()).containsExactly("vda", "vdb");
    assertThat(attached.after().disks()).containsExactly("vda", "vdb");
    assertThat(virsh("domblklist", vm)).containsPattern("vdb\\s+\\S*" + volume);
    assertThat(
            ops.attachDisk(
                    new VmParams.AttachDisk(vm, RealHypervisor.POOL, volume, null, null, null))
                .changed())
        .isFalse();

    ChangeResult memory = ops.setResources(vm, null, 128L * 1024);
    figure("set_resources (memory above the running maximum)", memory.durationMs());
    assertThat(memory.method()).isEqualTo("config");
    assertThat(memory.appliesAtNextStart()).isTrue();
    assertThat(memory.after().memoryKib()).isEqualTo(128L * 1024);
    assertThat(memory.after().liveMemoryKib()).isEqualTo(64L * 1024);

    ChangeResult autostart = ops.setAutostart(vm, true);
    assertThat(autostart.changed()).isTrue();
    assertThat(virsh("dominfo", vm)).containsPattern("Autostart:\\s+enable");

    ChangeResult detached = ops.detachDisk(vm, "vdb", VmParams.DiskMode.PERSISTENT);
    assertThat(detached.method()).isEqualTo("config");
    assertThat(detached.after().disks()).containsExactly("vda");
    assertThat(detached.after().liveDisks()).containsExactly("vda", "vdb");

    ops.stop(vm, StopOptions.forced());
    ops.start(vm);
    VmSummary restarted = ops.info(vm, false).vm();
    assertThat(restarted.maxMemoryKib()).isEqualTo(128L * 1024);
    assertThat(virsh("domblklist", vm)).doesNotContain("vdb");
    ops.setAutostart(vm, false);
    ops.delete(vm, true);
    hypervisor
        .connect()
        .storagePoolLookupByName(RealHypervisor.POOL)
        .storageVolLookupByName(volume)
        .delete(0);
  }

  /** What {@code virsh} prints for {@code args} on the test daemon. */
  private static String virsh(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("virsh", "-c", hypervisor.uri()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out =
        new String(
            process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  @Order(8)
  void aVmCreatedAsAnOverlayOnABaseImageBootsTakesTheEverydayChangesAndIsDeletedWithItsStorage()
      throws Exception {
    String base = RealHypervisor.PREFIX + "base.qcow2";
    String vm = RealHypervisor.PREFIX + "created";
    String network = RealHypervisor.PREFIX + "net";
    String data = RealHypervisor.PREFIX + "created-data.qcow2";
    hypervisor.acpiGuestDisk(base);
    hypervisor.bridgedNetwork(network, "vmtbr0");

    CreateResult created =
        ops.create(
            new CreateParams.Create(
                vm,
                1,
                64,
                List.of(new CreateParams.Disk(RealHypervisor.POOL, null, base, null)),
                network,
                null,
                new CreateParams.CloudInit("#cloud-config\n", null, null),
                DomainBuilder.Firmware.BIOS,
                true));
    System.out.printf(
        "system-test figure: create (overlay, seed, start) = %d ms%n", created.durationMs());

    assertThat(created.stateAfter()).isEqualTo(VmState.RUNNING);
    assertThat(volumeList()).contains(vm + "-vda.qcow2", vm + "-cidata.iso", base);
    assertThat(
            hypervisor
                .connect()
                .storagePoolLookupByName(RealHypervisor.POOL)
                .storageVolLookupByName(vm + "-vda.qcow2")
                .getXMLDesc(0))
        .contains("<backingStore>")
        .contains(base);
    // No DHCP here (the private daemon has no dnsmasq), so the interface has no address: the test
    // driver covers addresses from leases and the guest agent.
    assertThat(ops.addresses(vm).interfaces())
        .singleElement()
        .satisfies(
            nic -> {
              assertThat(nic.mac()).matches("52:54:00(:[0-9a-f]{2}){3}");
              // A running VM's XML shows an interface on a bridge-mode network as type bridge,
              // its source still naming the network.
              assertThat(nic.type()).isEqualTo("bridge");
              assertThat(nic.source()).isEqualTo(network);
            });
    ChangeResult attached =
        ops.attachDisk(new VmParams.AttachDisk(vm, RealHypervisor.POOL, data, 16L, null, null));
    assertThat(attached.method()).isEqualTo("live_and_config");
    assertThat(virsh("domblklist", vm)).contains(data);
    ChangeResult memory = ops.setResources(vm, null, 128L * 1024);
    assertThat(memory.appliesAtNextStart()).isTrue();
    assertThat(memory.after().memoryKib()).isEqualTo(128L * 1024);
    assertThat(ops.setAutostart(vm, true).changed()).isTrue();
    assertThat(virsh("dominfo", vm)).containsPattern("Autostart:\\s+enable");
    // The overlay boots the base's guest, which powers off on an ACPI request once it is up (an
    // earlier request is lost while the firmware still boots, so it is repeated).
    assertThat(RealHypervisor.await(Duration.ofSeconds(60), () -> acpiStopped(vm)))
        .as("the guest booted from the overlay honours ACPI shutdown")
        .isTrue();

    LifecycleResult deleted = ops.delete(vm, true);

    assertThat(deleted.removedVolumes()).hasSize(3);
    assertThat(volumeList())
        .doesNotContain(vm + "-vda.qcow2", vm + "-cidata.iso", data)
        .contains(base);
    assertThat(virsh("list", "--all", "--name")).doesNotContain(vm);
  }

  private static boolean acpiStopped(String vm) {
    try {
      return "acpi_shutdown"
          .equals(ops.stop(vm, new StopOptions(false, Duration.ofSeconds(3), false)).method());
    } catch (VmOperationException e) {
      if (e.code() == ErrorCode.TIMEOUT) {
        return false;
      }
      throw e;
    }
  }

  /** {@code virsh vol-list} of the test pool, as an operator would check it. */
  private static String volumeList() throws Exception {
    Process process =
        new ProcessBuilder("virsh", "-c", hypervisor.uri(), "vol-list", RealHypervisor.POOL)
            .redirectErrorStream(true)
            .start();
    // The list of a handful of volumes fits the pipe: read it, then wait (bounded) for the exit.
    String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(text).isZero();
    return text;
  }
}
