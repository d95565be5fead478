package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.agent.operation.OperationFailure;
import io.vmagent.agent.operation.OperationRegistry;
import io.vmagent.protocol.ErrorCode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class VmValidationTest {
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

  static Stream<String> badNames() {
    return Stream.of(
        "",
        " ",
        "web 01",
        "../etc/passwd",
        "a/b",
        "a\\b",
        "web..01",
        "-rf",
        ".hidden",
        "web\n01",
        "web\u000001",
        "naïve",
        "x".repeat(129));
  }

  @ParameterizedTest
  @MethodSource("badNames")
  void badNamesAreRefusedBeforeLibvirtAndChangeNothing(String name) {
    VmList before = ops.list();
    List<Consumer<String>> calls =
        List.of(
            vm -> ops.start(vm),
            vm -> ops.stop(vm, StopOptions.forced()),
            vm -> ops.delete(vm, true),
            vm -> ops.info(vm, false),
            vm -> ops.snapshotCreate(vm, "s", null, null));
    for (Consumer<String> call : calls) {
      assertThatExceptionOfType(VmOperationException.class)
          .isThrownBy(() -> call.accept(name))
          .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
          .withMessageContaining("VM name");
    }
    assertThat(ops.list()).isEqualTo(before);
  }

  @Test
  void aNullNameIsRefused() {
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> ops.start(null))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
  }

  @Test
  void theLongestAllowedNameIsValidButUnknown() {
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> ops.start("x".repeat(128)))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.VM_NOT_FOUND));
  }

  @Test
  void anUnknownUuidIsNotFound() {
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> ops.stop("12345678-1234-4234-8234-123456789abc", StopOptions.forced()))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.VM_NOT_FOUND))
        .withMessageContaining("12345678-1234-4234-8234-123456789abc");
  }

  @Test
  void aUuidResolvesToItsVm() {
    LifecycleResult result = ops.start("00000008-AAAA-4BBB-8CCC-000000000008");

    assertThat(result.vm()).isEqualTo("idle-01");
    assertThat(result.uuid()).isEqualTo("00000008-aaaa-4bbb-8ccc-000000000008");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/b", "snap shot", "x/../y"})
  void badSnapshotNamesAreRefused(String name) {
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> ops.snapshotCreate("web-01", name, null, null))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .withMessageContaining("snapshot name");
    assertThat(ops.snapshotList("web-01").snapshots()).hasSize(2);
  }

  @Test
  void oversizedOrControlCharacterDescriptionsAreRefused() {
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> ops.snapshotCreate("web-01", "s", "d".repeat(1025), null))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> ops.snapshotCreate("web-01", "s", "bell\u0007", null))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThat(ops.snapshotList("web-01").snapshots()).hasSize(2);
  }

  static Stream<Arguments> badParameters() {
    return Stream.of(
        Arguments.of("start", Map.of()),
        Arguments.of("start", Map.of("vm", 42)),
        Arguments.of("start", Map.of("vm", "web-01", "force", true)),
        Arguments.of("stop", Map.of("vm", "web-01", "timeout_seconds", 0)),
        Arguments.of("stop", Map.of("vm", "web-01", "timeout_seconds", -5)),
        Arguments.of("stop", Map.of("vm", "web-01", "timeout_seconds", 3601)),
        Arguments.of("stop", Map.of("vm", "web-01", "timeout_seconds", 1.5)),
        Arguments.of("stop", Map.of("vm", "web-01", "timeout_seconds", "soon")),
        Arguments.of("stop", Map.of("vm", "web-01", "force", "yes")),
        Arguments.of("delete", Map.of("vm", "web-01", "remove_storage", 1)),
        Arguments.of("snapshot", Map.of("vm", "web-01", "action", "explode")),
        Arguments.of("snapshot", Map.of("vm", "web-01", "action", "revert")),
        Arguments.of("list", Map.of("vm", "web-01")));
  }

  @ParameterizedTest
  @MethodSource("badParameters")
  void badParametersAreInvalidArgumentsAndChangeNothing(String operation, Map<String, ?> params) {
    VmList before = ops.list();

    assertThatExceptionOfType(OperationFailure.class)
        .isThrownBy(() -> execute(operation, params))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThat(ops.list()).isEqualTo(before);
  }

  @Test
  void aSnapshotWithoutAnActionCreatesOneAsTheSpecSays() throws Exception {
    int before = snapshotCount("web-01");

    assertThat(execute("snapshot", Map.of("vm", "web-01")))
        .isInstanceOfSatisfying(
            SnapshotResult.class,
            r -> {
              assertThat(r.action()).isEqualTo("create");
              assertThat(r.changed()).isTrue();
            });
    assertThat(execute("snapshot", Map.of("vm", "web-01", "name", "named")))
        .isInstanceOfSatisfying(
            SnapshotResult.class, r -> assertThat(r.snapshot()).isEqualTo("named"));
    assertThat(snapshotCount("web-01")).isEqualTo(before + 2);
  }

  private int snapshotCount(String vm) throws Exception {
    return ((SnapshotResult) execute("snapshot", Map.of("vm", vm, "action", "list")))
        .snapshots()
        .size();
  }

  @Test
  void unknownOperationsAreRefused() {
    assertThatExceptionOfType(OperationFailure.class)
        .isThrownBy(() -> execute("teleport", Map.of("vm", "web-01")))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_OPERATION));
  }

  @Test
  void executeRunsEachOperationFromBackendParameters() throws Exception {
    Map<String, Object> stop = new HashMap<>();
    stop.put("vm", "web-01");
    stop.put("timeout_seconds", "5");
    stop.put("force_after_timeout", true);

    assertThat(execute("stop", stop)).isInstanceOf(LifecycleResult.class);
    assertThat(execute("start", Map.of("vm", "web-01"))).isInstanceOf(LifecycleResult.class);
    assertThat(execute("restart", Map.of("vm", "web-01", "force", true)))
        .isInstanceOf(LifecycleResult.class);
    assertThat(execute("pause", Map.of("vm", "web-01"))).isInstanceOf(LifecycleResult.class);
    assertThat(execute("resume", Map.of("vm", "web-01"))).isInstanceOf(LifecycleResult.class);
    assertThat(execute("info", Map.of("vm", "web-01", "include_xml", "true")))
        .isInstanceOfSatisfying(VmDetails.class, d -> assertThat(d.xml()).isNotNull());
    assertThat(execute("list", null)).isInstanceOf(VmList.class);
    assertThat(
            execute(
                "snapshot",
                Map.of("vm", "web-01", "action", "create", "name", "n1", "with_memory", true)))
        .isInstanceOf(SnapshotResult.class);
    assertThat(execute("snapshot", Map.of("vm", "web-01", "action", "list")))
        .isInstanceOfSatisfying(SnapshotResult.class, r -> assertThat(r.snapshots()).hasSize(3));
    assertThat(execute("snapshot", Map.of("vm", "web-01", "action", "delete", "name", "n1")))
        .isInstanceOfSatisfying(SnapshotResult.class, r -> assertThat(r.changed()).isTrue());
    assertThat(execute("delete", Map.of("vm", "web-01", "remove_storage", false)))
        .isInstanceOfSatisfying(
            LifecycleResult.class, r -> assertThat(r.stateAfter()).isEqualTo(VmState.UNDEFINED));
  }

  /** Runs an operation as a command does: through the registry, from the backend's parameters. */
  private Object execute(String operation, Map<String, ?> params) throws Exception {
    return new OperationRegistry(ops.operations()).require(operation).bind(params).run();
  }

  @Test
  void resultsSerialiseToSnakeCaseJson() throws Exception {
    ObjectMapper mapper = new ObjectMapper();

    JsonNode stop = mapper.valueToTree(ops.stop("web-01", StopOptions.forced()));
    JsonNode info = mapper.valueToTree(ops.info("web-01", false));

    assertThat(stop.get("state_before").asText()).isEqualTo("running");
    assertThat(stop.get("state_after").asText()).isEqualTo("shut_off");
    assertThat(stop.get("changed").asBoolean()).isTrue();
    assertThat(stop.has("duration_ms")).isTrue();
    assertThat(stop.has("removed_volumes")).isFalse();
    assertThat(info.get("vm").get("max_memory_kib").asLong()).isEqualTo(262144);
    assertThat(info.get("disks").get(0).get("capacity_bytes").asLong()).isEqualTo(10_737_418_240L);
    assertThat(info.get("current_snapshot").asText()).isEqualTo("after-upgrade");
  }
}
