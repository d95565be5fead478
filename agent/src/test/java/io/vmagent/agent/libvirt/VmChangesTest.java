package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmagent.agent.operation.OperationFailure;
import io.vmagent.agent.operation.OperationRegistry;
import io.vmagent.protocol.ErrorCode;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The everyday changes and the addresses on libvirt's test driver. */
class VmChangesTest {
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

  /** Runs an operation as a command does: through the registry, from the backend's parameters. */
  private Object execute(String operation, Map<String, ?> params) throws Exception {
    return new OperationRegistry(ops.operations()).require(operation).bind(params).run();
  }

  private static void assertCode(Runnable call, ErrorCode code, String messagePart) {
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(call::run)
        .satisfies(e -> assertThat(e.code()).isEqualTo(code))
        .withMessageContaining(messagePart);
  }

  private boolean autostart(String vm) {
    return ops.info(vm, false).vm().autostart();
  }

  private boolean poolHas(String volume) {
    return libvirt.withConnection(
        "list volumes",
        c -> Arrays.asList(c.storagePoolLookupByName("images").listVolumes()).contains(volume));
  }

  @Test
  void addressesOfARunningVmComeFromTheLeasesOfItsNetwork() {
    VmAddresses addresses = ops.addresses("web-01");

    assertThat(addresses.state()).isEqualTo(VmState.RUNNING);
    assertThat(addresses.interfaces())
        .singleElement()
        .satisfies(
            nic -> {
              assertThat(nic.mac()).isEqualTo("52:54:00:00:00:01");
              assertThat(nic.source()).isEqualTo("default");
              assertThat(nic.addresses())
                  .containsExactly(new IpAddress("192.168.122.2", 24, "ipv4", "lease"));
            });
  }

  @Test
  void infoIncludesTheAddresses() {
    assertThat(ops.info("web-01", false).interfaces().get(0).addresses())
        .extracting(IpAddress::address, IpAddress::source)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("192.168.122.2", "lease"));
  }

  @Test
  void aShutOffVmHasItsInterfacesWithoutAddresses() {
    VmAddresses addresses = ops.addresses("db-01");

    assertThat(addresses.interfaces())
        .singleElement()
        .satisfies(
            nic -> {
              assertThat(nic.mac()).isEqualTo("52:54:00:00:00:02");
              assertThat(nic.source()).isEqualTo("br0");
              assertThat(nic.addresses()).isEmpty();
            });
  }

  @Test
  void aVmWithAGuestAgentChannelTakesItsAddressesFromTheAgent() {
    libvirt.withConnection(
        "define",
        c ->
            c.domainCreateXML(
                "<domain type='test'><name>agent-01</name><memory>65536</memory>"
                    + "<os><type>hvm</type></os><devices>"
                    + "<interface type='network'><mac address='52:54:00:00:00:09'/>"
                    + "<source network='default'/></interface>"
                    + "<channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/>"
                    + "</channel></devices></domain>",
                0));

    assertThat(ops.addresses("agent-01").interfaces())
        .singleElement()
        .satisfies(
            nic ->
                assertThat(nic.addresses())
                    .extracting(IpAddress::source)
                    .isNotEmpty()
                    .containsOnly("agent"));
  }

  @Test
  void addressesOfAnUnknownVmAreNotFound() {
    assertCode(() -> ops.addresses("nope-01"), ErrorCode.VM_NOT_FOUND, "nope-01");
  }

  @Test
  void setAutostartTurnsItOnAndOffOnceEach() {
    ChangeResult on = ops.setAutostart("db-01", true);

    assertThat(on.changed()).isTrue();
    assertThat(on.before().autostart()).isFalse();
    assertThat(on.after().autostart()).isTrue();
    assertThat(on.stateBefore()).isEqualTo(VmState.SHUT_OFF);
    assertThat(on.stateAfter()).isEqualTo(VmState.SHUT_OFF);
    assertThat(autostart("db-01")).isTrue();
    ChangeResult again = ops.setAutostart("db-01", true);
    assertThat(again.changed()).isFalse();
    assertThat(again.method()).isEqualTo("none");

    assertThat(ops.setAutostart("db-01", false).changed()).isTrue();
    assertThat(autostart("db-01")).isFalse();
  }

  @Test
  void aTransientVmHasNoAutostart() {
    assertCode(() -> ops.setAutostart("transient-01", true), ErrorCode.INVALID_STATE, "transient");
  }

  @Test
  void setResourcesOfAShutOffVmAppliesAtItsNextStart() {
    ChangeResult result = ops.setResources("db-01", 4, 512L * 1024);

    assertThat(result.changed()).isTrue();
    assertThat(result.method()).isEqualTo("config");
    assertThat(result.appliesAtNextStart()).isTrue();
    assertThat(result.after().vcpus()).isEqualTo(4);
    assertThat(result.after().memoryKib()).isEqualTo(512L * 1024);
    assertThat(result.before().vcpus()).isNotEqualTo(4);
    ops.start("db-01");
    VmSummary started = ops.info("db-01", false).vm();
    assertThat(started.vcpus()).isEqualTo(4);
    assertThat(started.maxMemoryKib()).isEqualTo(512L * 1024);
    assertThat(ops.setResources("db-01", 4, 512L * 1024).changed()).isFalse();
  }

  @Test
  void setResourcesOfARunningVmChangesLiveWithinItsMaximum() {
    ChangeResult result = ops.setResources("web-01", null, 200L * 1024);

    assertThat(result.changed()).isTrue();
    assertThat(result.method()).isEqualTo("live_and_config");
    assertThat(result.appliesAtNextStart()).isNull();
    assertThat(result.before().liveMemoryKib()).isEqualTo(131072);
    assertThat(result.after().liveMemoryKib()).isEqualTo(200L * 1024);
    assertThat(result.after().memoryKib()).isEqualTo(200L * 1024);
    assertThat(ops.info("web-01", false).vm().memoryKib()).isEqualTo(200L * 1024);
  }

  @Test
  void memoryAboveARunningVmsMaximumWaitsForItsNextStart() {
    ChangeResult result = ops.setResources("web-01", null, 1024L * 1024);

    assertThat(result.method()).isEqualTo("config");
    assertThat(result.appliesAtNextStart()).isTrue();
    assertThat(result.message()).contains("exceed the running VM's maximum of 256 MiB");
    assertThat(result.after().memoryKib()).isEqualTo(1024L * 1024);
    assertThat(result.after().liveMemoryKib()).isEqualTo(131072);
    assertThat(ops.info("web-01", false).vm().memoryKib()).isEqualTo(131072);
  }

  @Test
  void aTransientVmRefusesWhatItCannotTakeLive() {
    assertCode(
        () -> ops.setResources("transient-01", null, 64L * 1024 * 1024),
        ErrorCode.INVALID_STATE,
        "transient");
  }

  @Test
  void attachingAVolumeTheDriverCannotAttachIsUnsupportedAndLeavesNoNewVolume() {
    // The test driver has no device attach at all: the attach itself is covered by the system
    // test on QEMU; here the refusal and the clean-up of the volume it created.
    assertCode(
        () ->
            ops.attachDisk(
                new VmParams.AttachDisk("db-01", "images", "db-01-extra.qcow2", 64L, null, null)),
        ErrorCode.UNSUPPORTED,
        "attach");
    assertThat(poolHas("db-01-extra.qcow2")).isFalse();
  }

  @Test
  void aVolumeAlreadyAttachedWhereAskedIsUnchanged() {
    ChangeResult result =
        ops.attachDisk(
            new VmParams.AttachDisk("web-01", "images", "web-01.qcow2", null, "vda", null));

    assertThat(result.changed()).isFalse();
    assertThat(result.after().disks()).containsExactly("vda");
    assertThat(result.after().liveDisks()).containsExactly("vda");
  }

  @Test
  void attachRefusesWhatCannotBeAttached() {
    assertCode(
        () -> ops.attachDisk(new VmParams.AttachDisk("db-01", "nopool", "x", null, null, null)),
        ErrorCode.INVALID_ARGUMENT,
        "no storage pool nopool");
    assertCode(
        () ->
            ops.attachDisk(new VmParams.AttachDisk("db-01", "images", "x.qcow2", null, null, null)),
        ErrorCode.INVALID_ARGUMENT,
        "give size_mib to create it");
    assertCode(
        () ->
            ops.attachDisk(
                new VmParams.AttachDisk("db-01", "images", "orphan.qcow2", 10L, null, null)),
        ErrorCode.INVALID_ARGUMENT,
        "already exists");
    assertCode(
        () ->
            ops.attachDisk(
                new VmParams.AttachDisk("db-01", "images", "orphan.qcow2", null, "vda", null)),
        ErrorCode.INVALID_ARGUMENT,
        "target vda of VM 'db-01' is in use");
    assertCode(
        () ->
            ops.attachDisk(
                new VmParams.AttachDisk("web-01", "images", "web-01.qcow2", null, "vdc", null)),
        ErrorCode.INVALID_ARGUMENT,
        "already attached to VM 'web-01' as vda");
    assertCode(
        () ->
            ops.attachDisk(
                new VmParams.AttachDisk(
                    "db-01", "images", "orphan.qcow2", null, null, VmParams.DiskMode.LIVE)),
        ErrorCode.INVALID_STATE,
        "mode=persistent");
    assertCode(
        () ->
            ops.attachDisk(
                new VmParams.AttachDisk(
                    "transient-01",
                    "images",
                    "orphan.qcow2",
                    null,
                    null,
                    VmParams.DiskMode.PERSISTENT)),
        ErrorCode.INVALID_STATE,
        "transient");
  }

  @Test
  void detachingADiskThatIsNotThereIsUnchanged() {
    ChangeResult result = ops.detachDisk("db-01", "vdq", null);

    assertThat(result.changed()).isFalse();
    assertThat(result.after().disks()).containsExactly("vda", "vdb");
  }

  static Stream<Arguments> badParameters() {
    return Stream.of(
        Arguments.of("addresses", Map.of()),
        Arguments.of("set_autostart", Map.of("vm", "db-01")),
        Arguments.of("set_autostart", Map.of("vm", "db-01", "enabled", "maybe")),
        Arguments.of("set_resources", Map.of("vm", "db-01")),
        Arguments.of("set_resources", Map.of("vm", "db-01", "vcpus", "0")),
        Arguments.of("set_resources", Map.of("vm", "db-01", "vcpus", "4097")),
        Arguments.of("set_resources", Map.of("vm", "db-01", "vcpus", "two")),
        Arguments.of("set_resources", Map.of("vm", "db-01", "memory_mib", "8")),
        Arguments.of("set_resources", Map.of("vm", "db-01", "memory_mib", "1.5")),
        Arguments.of("set_resources", Map.of("vm", "db-01", "memory_kib", "1024")),
        Arguments.of("attach_disk", Map.of("vm", "db-01", "pool", "images")),
        Arguments.of("attach_disk", Map.of("vm", "db-01", "volume", "x")),
        Arguments.of("attach_disk", Map.of("vm", "db-01", "pool", "../etc", "volume", "x")),
        Arguments.of(
            "attach_disk", Map.of("vm", "db-01", "pool", "images", "volume", "x", "size_mib", "0")),
        Arguments.of(
            "attach_disk", Map.of("vm", "db-01", "pool", "images", "volume", "x", "target", "hda")),
        Arguments.of(
            "attach_disk", Map.of("vm", "db-01", "pool", "images", "volume", "x", "mode", "now")),
        Arguments.of("detach_disk", Map.of("vm", "db-01")),
        Arguments.of("detach_disk", Map.of("vm", "db-01", "target", "vd1")));
  }

  @ParameterizedTest
  @MethodSource("badParameters")
  void badParametersAreInvalidArguments(String operation, Map<String, ?> params) {
    assertThatExceptionOfType(OperationFailure.class)
        .isThrownBy(() -> execute(operation, params))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThat(autostart("db-01")).isFalse();
  }

  @Test
  void theBackendsTextParametersRunEachChange() throws Exception {
    assertThat(execute("set_autostart", Map.of("vm", "db-01", "enabled", "true")))
        .isInstanceOf(ChangeResult.class);
    assertThat(autostart("db-01")).isTrue();
    ChangeResult resources =
        (ChangeResult)
            execute("set_resources", Map.of("vm", "db-01", "vcpus", "3", "memory_mib", "300"));
    assertThat(resources.after().vcpus()).isEqualTo(3);
    assertThat(resources.after().memoryKib()).isEqualTo(300L * 1024);
    assertThat(execute("addresses", Map.of("vm", "web-01"))).isInstanceOf(VmAddresses.class);
    assertThat(
            execute(
                "attach_disk", Map.of("vm", "web-01", "pool", "images", "volume", "web-01.qcow2")))
        .isInstanceOf(ChangeResult.class);
    assertThat(execute("detach_disk", Map.of("vm", "web-01", "target", "vdz", "mode", "both")))
        .isInstanceOf(ChangeResult.class);
  }

  @Test
  void everyNewOperationIsInTheRegistryAtVersionOne() {
    Map<String, Integer> versions = new OperationRegistry(ops.operations()).versions();

    assertThat(versions)
        .containsEntry("addresses", 1)
        .containsEntry("set_autostart", 1)
        .containsEntry("set_resources", 1)
        .containsEntry("attach_disk", 1)
        .containsEntry("detach_disk", 1);
  }
}
