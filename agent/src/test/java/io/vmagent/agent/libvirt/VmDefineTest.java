package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmagent.agent.operation.OperationFailure;
import io.vmagent.protocol.ErrorCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code define} on the test driver: the allowlist, the name and UUID rules, idempotency. */
class VmDefineTest {
  private static final String UUID = "0000000a-aaaa-4bbb-8ccc-00000000000a";
  private static final String POOL_DISK =
      "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
          + "<source file='/var/lib/vmagent-test/images/orphan.qcow2'/>"
          + "<target dev='vda' bus='virtio'/></disk>";

  private LibvirtConnectionManager libvirt;
  private VmOperations ops;

  @BeforeEach
  void openHost() {
    libvirt = TestHost.connect();
    ops = new VmOperations(libvirt, Duration.ofSeconds(5), 2, List.of(Path.of("/srv/boot")));
  }

  @AfterEach
  void closeHost() {
    ops.close();
    libvirt.close();
  }

  private static String domain(String name, String uuid, String os, String devices) {
    return "<domain type='test'><name>"
        + name
        + "</name>"
        + (uuid == null ? "" : "<uuid>" + uuid + "</uuid>")
        + "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type>hvm</type>"
        + os
        + "</os><devices>"
        + devices
        + "</devices></domain>";
  }

  private static String withDevices(String devices) {
    return domain("new-01", null, "", devices);
  }

  private List<String> names() {
    return ops.list().vms().stream().map(VmSummary::name).toList();
  }

  private void assertRefused(String xml, ErrorCode code, String... messageParts) {
    List<String> before = names();
    assertThatExceptionOfType(OperationFailure.class)
        .isThrownBy(() -> ops.define(xml))
        .satisfies(e -> assertThat(e.code()).isEqualTo(code))
        .satisfies(e -> assertThat(e.getMessage()).contains(messageParts));
    assertThat(names()).isEqualTo(before);
  }

  @Test
  void definesAVmWhoseDiskIsAPoolVolumeAndTheSameXmlAgainChangesNothing() {
    String xml = domain("new-01", UUID, "", POOL_DISK);

    CreateResult first = ops.define(xml);
    CreateResult again = ops.define(xml);

    assertThat(first.changed()).isTrue();
    assertThat(first.method()).isEqualTo("define");
    assertThat(first.uuid()).isEqualTo(UUID);
    assertThat(first.stateBefore()).isEqualTo(VmState.UNDEFINED);
    assertThat(first.stateAfter()).isEqualTo(VmState.SHUT_OFF);
    assertThat(again.changed()).isFalse();
    assertThat(again.stateAfter()).isEqualTo(VmState.SHUT_OFF);
    assertThat(ops.info("new-01", false).disks())
        .extracting(DiskInfo::source)
        .containsExactly("/var/lib/vmagent-test/images/orphan.qcow2");
  }

  @Test
  void anotherVmWithTheSameNameOrUuidIsInvalidState() {
    ops.define(domain("new-01", UUID, "", ""));

    assertRefused(domain("new-01", null, "", POOL_DISK), ErrorCode.INVALID_STATE, "new-01");
    assertRefused(domain("new-02", UUID, "", ""), ErrorCode.INVALID_STATE, UUID);
    assertRefused(domain("web-01", null, "", ""), ErrorCode.INVALID_STATE, "web-01");
  }

  static Stream<Arguments> hostReachingXml() {
    return Stream.of(
        Arguments.of(
            withDevices(
                "<disk type='file' device='disk'><source file='/etc/shadow'/>"
                    + "<target dev='vda'/></disk>"),
            "<domain/devices/disk/source>",
            "/etc/shadow"),
        Arguments.of(
            withDevices(
                "<disk type='file' device='cdrom'><source"
                    + " file='/var/lib/vmagent-test/images/../../../../etc/passwd'/>"
                    + "<target dev='sda'/></disk>"),
            "<domain/devices/disk/source>",
            "etc/passwd"),
        Arguments.of(
            withDevices(
                "<disk type='block' device='disk'><source dev='/dev/sda'/><target dev='vda'/>"
                    + "</disk>"),
            "<domain/devices/disk/source>",
            "/dev/sda"),
        Arguments.of(
            withDevices(
                "<disk type='dir' device='disk'><source dir='/'/><target dev='vda'/></disk>"),
            "<domain/devices/disk>",
            "dir"),
        Arguments.of(
            withDevices(
                "<disk type='volume' device='disk'><source pool='images' volume='nope.qcow2'/>"
                    + "<target dev='vda'/></disk>"),
            "<domain/devices/disk/source>",
            "nope.qcow2"),
        Arguments.of(
            withDevices(
                "<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='0'"
                    + " slot='2' function='0'/></source></hostdev>"),
            "<domain/devices/hostdev>",
            "allowlist"),
        Arguments.of(
            withDevices(
                "<filesystem type='mount'><source dir='/'/><target dir='host'/></filesystem>"),
            "<domain/devices/filesystem>",
            "allowlist"),
        Arguments.of(
            "<domain type='test' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
                + "<name>new-01</name><memory>65536</memory><os><type>hvm</type></os>"
                + "<qemu:commandline><qemu:arg value='-device'/></qemu:commandline></domain>",
            "<domain/qemu:commandline>",
            "passthrough"),
        Arguments.of(
            domain("new-01", null, "<kernel>/boot/vmlinuz</kernel>", ""),
            "<domain/os/kernel>",
            "/boot/vmlinuz"),
        Arguments.of(
            domain("new-01", null, "<initrd>/root/initrd.img</initrd>", ""),
            "<domain/os/initrd>",
            "/root/initrd.img"),
        Arguments.of(
            domain("new-01", null, "<loader>/etc/loader.fd</loader>", ""),
            "<domain/os/loader>",
            "/etc/loader.fd"),
        Arguments.of(
            domain("new-01", null, "<nvram>/etc/vars.fd</nvram>", ""),
            "<domain/os/nvram>",
            "/etc/vars.fd"),
        Arguments.of(
            withDevices("<serial type='file'><source path='/etc/cron.d/x'/></serial>"),
            "<domain/devices/serial>",
            "file"),
        Arguments.of(
            withDevices("<serial type='unix'><source mode='connect' path='/run/x.sock'/></serial>"),
            "<domain/devices/serial>",
            "unix"),
        Arguments.of(
            withDevices("<console type='dev'><source path='/dev/ttyS0'/></console>"),
            "<domain/devices/console>",
            "dev"),
        Arguments.of(
            withDevices(
                "<channel type='unix'><source mode='bind' path='/tmp/agent.sock'/>"
                    + "<target type='virtio' name='org.qemu.guest_agent.0'/></channel>"),
            "<domain/devices/channel/source>",
            "socket"),
        Arguments.of(
            withDevices("<interface type='ethernet'><script path='/tmp/x.sh'/></interface>"),
            "<domain/devices/interface>",
            "ethernet"),
        Arguments.of(
            withDevices("<rng model='virtio'><backend model='random'>/etc/shadow</backend></rng>"),
            "<domain/devices/rng/backend>",
            "/etc/shadow"),
        Arguments.of(
            withDevices("<emulator>/tmp/evil</emulator>"), "<domain/devices/emulator>", "/tmp"),
        Arguments.of(
            "<domain type='test'><name>new-01</name><memory>65536</memory>"
                + "<sysinfo type='fwcfg'><entry name='opt/x' file='/etc/shadow'/></sysinfo>"
                + "</domain>",
            "<domain/sysinfo/entry>",
            "/etc/shadow"),
        Arguments.of(
            withDevices(
                "<interface type='user'><backend type='passt' logFile='/etc/cron.d/x'/>"
                    + "</interface>"),
            "<domain/devices/interface/backend>",
            "logFile"),
        Arguments.of(
            withDevices(
                "<video><model type='virtio'><acceleration accel3d='yes'"
                    + " rendernode='/dev/dri/renderD128'/></model></video>"),
            "<domain/devices/video/model/acceleration>",
            "rendernode"),
        Arguments.of(
            "<domain type='test'><name>new-01</name><memory>65536</memory>"
                + "<seclabel type='none'/></domain>",
            "<domain/seclabel>",
            "allowlist"));
  }

  @ParameterizedTest
  @MethodSource("hostReachingXml")
  void everythingThatReachesIntoTheHostIsRefusedNamingTheElement(
      String xml, String element, String detail) {
    assertRefused(xml, ErrorCode.INVALID_ARGUMENT, "refused", element, detail);
  }

  @Test
  void everyRefusalIsListed() {
    assertRefused(
        withDevices(
            "<disk type='file' device='disk'><source file='/etc/shadow'/><target dev='vda'/>"
                + "</disk><hostdev mode='subsystem' type='usb'/>"),
        ErrorCode.INVALID_ARGUMENT,
        "<domain/devices/disk/source>",
        "<domain/devices/hostdev>");
  }

  @Test
  void filesUnderPoolDirectoriesFirmwareAndAllowedPathsAreAccepted() {
    String xml =
        domain(
            "new-01",
            null,
            "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>"
                + "<kernel>/srv/boot/vmlinuz</kernel><initrd>/srv/boot/initrd.img</initrd>",
            "<disk type='file' device='disk'>"
                + "<source file='/var/lib/vmagent-test/images/not-yet-a-volume.qcow2'/>"
                + "<target dev='vda'/></disk>"
                + "<disk type='volume' device='disk'><source pool='images'"
                + " volume='orphan.qcow2'/><target dev='vdb'/></disk>"
                + "<serial type='pty'><source path='/dev/pts/3'/></serial><console type='pty'/>"
                + "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/>"
                + "</channel><interface type='network'><source network='default'/></interface>"
                + "<emulator>/usr/bin/qemu-system-x86_64</emulator>");

    assertThat(ops.define(xml).changed()).isTrue();
  }

  static Stream<Arguments> badXml() {
    return Stream.of(
        Arguments.of("<domain><name>x</name>", "well-formed"),
        Arguments.of(
            "<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                + "<domain type='test'><name>&x;</name></domain>",
            "DTD"),
        Arguments.of("<network><name>x</name></network>", "<domain>"),
        Arguments.of("<domain type='test'><memory>1</memory></domain>", "VM name"),
        Arguments.of("<domain type='test'><name>../x</name></domain>", "path character"),
        Arguments.of("<domain type='test'><name>x</name><uuid>not-a-uuid</uuid></domain>", "UUID"),
        Arguments.of("<domain><name>x</name>" + " ".repeat(256 * 1024) + "</domain>", "at most"),
        Arguments.of(" ", "needs the domain XML"));
  }

  @ParameterizedTest
  @MethodSource("badXml")
  void badXmlIsRefusedBeforeLibvirtSeesIt(String xml, String messagePart) {
    assertRefused(xml, ErrorCode.INVALID_ARGUMENT, messagePart);
  }
}
