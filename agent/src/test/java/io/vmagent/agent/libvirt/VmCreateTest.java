package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmagent.agent.libvirt.create.DomainBuilder;
import io.vmagent.agent.libvirt.create.Origin;
import io.vmagent.agent.operation.OperationFailure;
import io.vmagent.agent.operation.OperationRegistry;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.ParamLimits;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code create} on the test driver: volumes, overlays, clones, clean-up, idempotency, errors. */
class VmCreateTest {
  private static final String POOL = "images";
  private static final String DIR = "/var/lib/vmagent-test/images/";

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

  private List<String> volumes() {
    return libvirt.withConnection(
        "list volumes",
        c -> {
          c.storagePoolLookupByName(POOL).refresh(0);
          return Arrays.stream(c.storagePoolLookupByName(POOL).listVolumes()).sorted().toList();
        });
  }

  private List<String> vms() {
    return ops.list().vms().stream().map(VmSummary::name).toList();
  }

  private String volumeXml(String name) {
    return libvirt.withConnection(
        "read volume",
        c -> c.storagePoolLookupByName(POOL).storageVolLookupByName(name).getXMLDesc(0));
  }

  private Object execute(Map<String, ?> params) throws Exception {
    return new OperationRegistry(ops.operations()).require("create").bind(params).run();
  }

  private static CreateParams.Create params(String name, List<CreateParams.Disk> disks) {
    return new CreateParams.Create(
        name, 2, 256, disks, "default", null, null, DomainBuilder.Firmware.BIOS, false);
  }

  private static CreateParams.Disk empty(long mib) {
    return new CreateParams.Disk(POOL, mib, null, null);
  }

  private void assertFailsLeavingNothing(Runnable call, ErrorCode code, String... messageParts) {
    List<String> vmsBefore = vms();
    List<String> volumesBefore = volumes();
    assertThatExceptionOfType(OperationFailure.class)
        .isThrownBy(call::run)
        .satisfies(e -> assertThat(e.code()).isEqualTo(code))
        .satisfies(e -> assertThat(e.getMessage()).contains(messageParts));
    assertThat(vms()).isEqualTo(vmsBefore);
    assertThat(volumes()).isEqualTo(volumesBefore);
  }

  @Test
  void createsEmptyOverlayAndCloneDisksStartsTheVmAndDeleteRemovesItsVolumes() throws Exception {
    Object result =
        execute(
            Map.of(
                "vm", "app-01",
                "vcpus", "2",
                "memory_mib", "512",
                "network", "default",
                "start", "true",
                "disks",
                    "pool=images,base=web-01.qcow2;pool=images,base=db-01.qcow2,mode=clone;"
                        + "pool=images,size=1024"));

    assertThat(result)
        .isInstanceOfSatisfying(
            CreateResult.class,
            r -> {
              assertThat(r.changed()).isTrue();
              assertThat(r.method()).isEqualTo("define_and_start");
              assertThat(r.stateBefore()).isEqualTo(VmState.UNDEFINED);
              assertThat(r.stateAfter()).isEqualTo(VmState.RUNNING);
              assertThat(r.volumes())
                  .containsExactly(
                      DIR + "app-01-vda.qcow2", DIR + "app-01-vdb.qcow2", DIR + "app-01-vdc.qcow2");
            });
    VmDetails info = ops.info("app-01", true);
    assertThat(info.vm().vcpus()).isEqualTo(2);
    assertThat(info.vm().maxMemoryKib()).isEqualTo(512 * 1024);
    assertThat(info.disks())
        .extracting(DiskInfo::target, DiskInfo::pool, DiskInfo::volume)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("vda", POOL, "app-01-vda.qcow2"),
            org.assertj.core.groups.Tuple.tuple("vdb", POOL, "app-01-vdb.qcow2"),
            org.assertj.core.groups.Tuple.tuple("vdc", POOL, "app-01-vdc.qcow2"));
    assertThat(info.interfaces()).extracting(InterfaceInfo::source).containsExactly("default");
    assertThat(volumeXml("app-01-vda.qcow2"))
        .contains("<backingStore>", DIR + "web-01.qcow2", "qcow2");
    assertThat(volumeXml("app-01-vdb.qcow2")).doesNotContain("<backingStore>");
    assertThat(volumeXml("app-01-vdc.qcow2")).contains("1073741824");
    assertThat(Origin.read(info.xml()))
        .hasValueSatisfying(
            o -> {
              assertThat(o.complete()).isTrue();
              assertThat(o.volumes())
                  .containsExactly(
                      "images/app-01-vda.qcow2",
                      "images/app-01-vdb.qcow2",
                      "images/app-01-vdc.qcow2");
            });

    LifecycleResult deleted = ops.delete("app-01", true);

    assertThat(deleted.removedVolumes()).hasSize(3);
    assertThat(volumes()).noneMatch(v -> v.startsWith("app-01"));
    assertThat(vms()).doesNotContain("app-01");
  }

  @Test
  void createTwiceWithTheSameNameChangesNothingOrIsInvalidState() {
    CreateParams.Create first = params("app-01", List.of(empty(64)));
    CreateResult created = ops.create(first);
    List<String> volumes = volumes();

    CreateResult again = ops.create(first);

    assertThat(created.stateAfter()).isEqualTo(VmState.SHUT_OFF);
    assertThat(created.method()).isEqualTo("define");
    assertThat(again.changed()).isFalse();
    assertThat(again.uuid()).isEqualTo(created.uuid());
    assertThat(again.method()).isEqualTo("none");
    assertThat(volumes()).isEqualTo(volumes);
    assertFailsLeavingNothing(
        () -> ops.create(params("app-01", List.of(empty(128)))),
        ErrorCode.INVALID_STATE,
        "already exists");
    assertFailsLeavingNothing(
        () -> ops.create(params("web-01", List.of())), ErrorCode.INVALID_STATE, "web-01");
  }

  @Test
  void aFailingCreationRemovesTheVmAndTheVolumesItMade() {
    // The test driver cannot upload into a volume: the seed fails after the first disk was made.
    CreateParams.Create withSeed =
        new CreateParams.Create(
            "app-01",
            1,
            64,
            List.of(empty(64)),
            null,
            null,
            new CreateParams.CloudInit("#cloud-config\n", null, null),
            DomainBuilder.Firmware.BIOS,
            true);

    assertFailsLeavingNothing(
        () -> ops.create(withSeed),
        ErrorCode.UNSUPPORTED,
        "app-01-cidata.iso",
        "everything made so far was removed");
  }

  @Test
  void aVmLeftIncompleteIsReportedWithItsVolumesAndDeleteRemovesThem() throws Exception {
    // What a crash between defining the VM and making its volumes leaves: the VM, marked
    // incomplete, naming both volumes, of which only the first was made.
    ops.create(params("half-01", List.of(empty(64))));
    Origin incomplete =
        new Origin(
            "create", "x", false, List.of("images/half-01-vda.qcow2", "images/half-01-vdb.qcow2"));
    String xml =
        new DomainBuilder("test", "half-01", ops.info("half-01", false).vm().uuid())
            .disk(new DomainBuilder.Disk(DIR + "half-01-vda.qcow2", "qcow2", false))
            .disk(new DomainBuilder.Disk(DIR + "half-01-vdb.qcow2", "qcow2", false))
            .origin(incomplete)
            .build();
    libvirt.withConnection("redefine", c -> c.domainDefineXML(xml));

    assertThat(aftermath("half-01"))
        .isEqualTo(
            "VM 'half-01' is defined but incomplete; volumes made: images/half-01-vda.qcow2;"
                + " not made: images/half-01-vdb.qcow2; delete it with remove_storage to remove"
                + " them all");
    assertFailsLeavingNothing(
        () -> ops.create(params("half-01", List.of(empty(64)))),
        ErrorCode.INVALID_STATE,
        "left incomplete",
        "images/half-01-vda.qcow2",
        "remove_storage");
    LifecycleResult deleted = ops.delete("half-01", true);

    assertThat(deleted.removedVolumes()).containsExactly(DIR + "half-01-vda.qcow2");
    assertThat(deleted.storageErrors()).isNull();
    assertThat(volumes()).noneMatch(v -> v.startsWith("half-01"));
  }

  @Test
  void aCreateCutShortBeforeDefiningLeftNothingAndOneThatFinishedLeftNothingHalfMade()
      throws Exception {
    assertThat(aftermath("app-01"))
        .isEqualTo("nothing: no VM 'app-01' is defined and no volume was made for it");
    ops.create(params("app-01", List.of(empty(64))));
    assertThat(aftermath("app-01"))
        .isEqualTo(
            "nothing half-made: VM 'app-01' is defined and complete (made by this command or an"
                + " earlier one)");
    assertThat(aftermath("web-01"))
        .contains("VM 'web-01' is defined and complete (not made by create)");
  }

  @Test
  void parametersLargerThanTheirLimitAreRefusedBeforeTheyAreRead() {
    OperationRegistry registry = new OperationRegistry(ops.operations());
    int envelope = ParamLimits.jsonChars(Map.of("xml", ""));
    String largest = "<domain>" + "x".repeat(ParamLimits.MAX_LARGE_PARAMS_CHARS - envelope - 8);
    Map<String, String> withUserData =
        Map.of(
            "vm",
            "app-01",
            "vcpus",
            "1",
            "memory_mib",
            "64",
            "disks",
            "pool=images,size=1",
            "user_data",
            "#".repeat(CreateParams.CloudInit.MAX_CHARS));

    registry.require("define").bind(Map.of("xml", largest));
    registry.require("create").bind(withUserData);

    assertThatExceptionOfType(OperationFailure.class)
        .isThrownBy(() -> registry.require("define").bind(Map.of("xml", largest + "x")))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .withMessageContaining("the parameters of 'define' take 262145 characters as JSON")
        .withMessageContaining("at most 262144");
    assertThatExceptionOfType(OperationFailure.class)
        .isThrownBy(() -> registry.require("start").bind(Map.of("vm", "v".repeat(4097))))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .withMessageContaining("parameter 'vm' is 4097 characters long; at most 256");
    assertThatExceptionOfType(OperationFailure.class)
        .isThrownBy(
            () ->
                registry
                    .require("snapshot")
                    .bind(Map.of("vm", "app-01", "description", "d".repeat(4097))))
        .withMessageContaining(
            "parameter 'description' of 'snapshot' is 4097 characters long; at most 4096");
  }

  /** What the registry's {@code create} says it left, as the journal asks after a crash. */
  private String aftermath(String vm) throws Exception {
    return new OperationRegistry(ops.operations()).require("create").aftermath().describe(vm);
  }

  @Test
  void nothingIsMadeWhenAPoolBaseNetworkOrVolumeNameIsWrong() {
    assertFailsLeavingNothing(
        () -> ops.create(params("app-01", List.of(new CreateParams.Disk("nope", 64L, null, null)))),
        ErrorCode.INVALID_ARGUMENT,
        "no storage pool 'nope'");
    assertFailsLeavingNothing(
        () ->
            ops.create(
                params(
                    "app-01",
                    List.of(empty(64), new CreateParams.Disk(POOL, null, "missing.qcow2", null)))),
        ErrorCode.INVALID_ARGUMENT,
        "no volume 'missing.qcow2'");
    assertFailsLeavingNothing(
        () ->
            ops.create(
                params("app-01", List.of(new CreateParams.Disk(POOL, 64L, "web-01.qcow2", null)))),
        ErrorCode.INVALID_ARGUMENT,
        "smaller than the base");
    assertFailsLeavingNothing(
        () ->
            ops.create(
                new CreateParams.Create(
                    "app-01",
                    1,
                    64,
                    List.of(),
                    "nonet",
                    null,
                    null,
                    DomainBuilder.Firmware.BIOS,
                    false)),
        ErrorCode.INVALID_ARGUMENT,
        "no libvirt network 'nonet'");
    ops.create(params("app-01", List.of(empty(64))));
    ops.delete("app-01", false);
    assertFailsLeavingNothing(
        () -> ops.create(params("app-01", List.of(empty(64)))),
        ErrorCode.INVALID_STATE,
        "already has a volume 'app-01-vda.qcow2'");
  }

  static Stream<Arguments> badParameters() {
    return Stream.of(
        Arguments.of(Map.of("vcpus", "1", "memory_mib", "64"), "'vm'"),
        Arguments.of(Map.of("vm", "a b", "vcpus", "1", "memory_mib", "64"), "VM name"),
        Arguments.of(Map.of("vm", "a", "vcpus", "0", "memory_mib", "64"), "vcpus"),
        Arguments.of(Map.of("vm", "a", "vcpus", "1.5", "memory_mib", "64"), "vcpus"),
        Arguments.of(Map.of("vm", "a", "vcpus", "1", "memory_mib", "8"), "memory_mib"),
        Arguments.of(Map.of("vm", "a", "vcpus", "1"), "'memory_mib'"),
        Arguments.of(Map.of("vm", "a", "vcpus", 1, "memory_mib", 64, "color", "red"), "color"),
        Arguments.of(disks("pool=images"), "needs a size"),
        Arguments.of(disks("size=64"), "expected pool=POOL"),
        Arguments.of(disks("pool=images,size=64;"), "expected pool=POOL"),
        Arguments.of(disks("pool=images,size=64,size=128"), "expected pool=POOL"),
        Arguments.of(disks("pool=images,size=-1"), "expected pool=POOL"),
        Arguments.of(disks("pool=images,size=0"), "between 1 and"),
        Arguments.of(disks("pool=images,size=64,mode=overlay"), "needs a base"),
        Arguments.of(disks("pool=images,base=b,mode=empty"), "not empty"),
        Arguments.of(disks("pool=images,base=b,mode=copy"), "mode"),
        Arguments.of(disks("pool=../etc,size=64"), "pool name"),
        Arguments.of(disks("pool=images,base=../../etc/shadow"), "base volume name"),
        Arguments.of(disks("pool=images,size=64,format=raw"), "format=raw"),
        Arguments.of(
            disks(String.join(";", Collections.nCopies(17, "pool=i,size=1"))), "at most 16"),
        Arguments.of(
            Map.of(
                "vm", "a", "vcpus", "1", "memory_mib", "64", "network", "default", "bridge", "br0"),
            "not both"),
        Arguments.of(
            Map.of("vm", "a", "vcpus", "1", "memory_mib", "64", "bridge", "br0; rm -rf"), "bridge"),
        Arguments.of(
            Map.of("vm", "a", "vcpus", "1", "memory_mib", "64", "firmware", "coreboot"),
            "firmware"),
        Arguments.of(
            Map.of("vm", "a", "vcpus", "1", "memory_mib", "64", "user_data", "x"),
            "needs seed_pool"),
        Arguments.of(
            Map.of(
                "vm",
                "a",
                "vcpus",
                "1",
                "memory_mib",
                "64",
                "user_data",
                "x".repeat(65 * 1024),
                "seed_pool",
                POOL),
            "at most"),
        Arguments.of(
            Map.of("vm", "a", "vcpus", "1", "memory_mib", "64", "meta_data", "x"),
            "need user_data"),
        Arguments.of(
            Map.of("vm", "a", "vcpus", "1", "memory_mib", "64", "start", "soon"), "start"));
  }

  private static Map<String, String> disks(String disks) {
    return Map.of("vm", "a", "vcpus", "1", "memory_mib", "64", "disks", disks);
  }

  @ParameterizedTest
  @MethodSource("badParameters")
  void badParametersAreInvalidArgumentsAndChangeNothing(Map<String, ?> params, String part) {
    assertFailsLeavingNothing(
        () -> {
          try {
            execute(params);
          } catch (RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        },
        ErrorCode.INVALID_ARGUMENT,
        part);
  }
}
