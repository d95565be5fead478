package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.agent.libvirt.create.DomainBuilder;
import io.vmagent.agent.testing.RealHypervisor;
import io.vmagent.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code create} on the real libvirt daemon with QEMU that {@code bin/test} starts: a qcow2 overlay
 * on a base image in a directory pool, with a cloud-init seed uploaded into the pool, started, and
 * deleted with its storage. Skipped when {@code VMAGENT_SYSTEM_LIBVIRT_URI} is unset.
 */
class VmCreateSystemTest {
  private static RealHypervisor hypervisor;
  private static LibvirtConnectionManager libvirt;
  private static VmOperations ops;

  @TempDir Path dir;

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

  @Test
  void aVmCreatedAsAnOverlayOnABaseImageBootsItAndIsDeletedWithItsVolumes() throws Exception {
    String base = RealHypervisor.PREFIX + "base.qcow2";
    String vm = RealHypervisor.PREFIX + "created";
    hypervisor.acpiGuestDisk(base);

    CreateResult created =
        ops.create(
            new CreateParams.Create(
                vm,
                1,
                64,
                List.of(new CreateParams.Disk(RealHypervisor.POOL, null, base, null)),
                null,
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
    // The overlay boots the base's guest, which powers off on an ACPI request once it is up (an
    // earlier request is lost while the firmware still boots, so it is repeated).
    assertThat(RealHypervisor.await(Duration.ofSeconds(60), () -> acpiStopped(vm)))
        .as("the guest booted from the overlay honours ACPI shutdown")
        .isTrue();

    LifecycleResult deleted = ops.delete(vm, true);

    assertThat(deleted.removedVolumes()).hasSize(2);
    assertThat(volumeList()).doesNotContain(vm + "-vda.qcow2", vm + "-cidata.iso").contains(base);
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
  private String volumeList() throws Exception {
    Path output = dir.resolve("vol-list.txt");
    Process process =
        new ProcessBuilder("virsh", "-c", hypervisor.uri(), "vol-list", RealHypervisor.POOL)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String text = Files.readString(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(text).isZero();
    return text;
  }
}
